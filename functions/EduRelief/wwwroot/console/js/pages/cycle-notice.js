// The cycle's "notice" tab: the notice exactly as the public sees it. Once approved: the public list page and each
// school's page framed from the real /notices/… address (same origin, no key), the public link to copy, the period
// and the objection counts. Before approval: the preview the API renders with the same renderer.

import { t, strings } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { h, badge, count, dateTime, facts, field, subsection, problem, toast } from '../ui.js';

strings({
  zh: {
    'notice.public': '公示情况',
    'notice.period': '公示期',
    'notice.periodValue': '{from} 至 {to}（{n} 个工作日）',
    'notice.published': '发布时间',
    'notice.endsAt': '截止时间',
    'notice.documents': '公示文件',
    'notice.documentsValue': '{schools} 所学校，{rows} 行',
    'notice.documentsPending': '正在生成各校公示页，完成后在下方显示…',
    'notice.objectionsOpen': '未处理异议',
    'notice.held': '因异议暂缓发放人数',
    'notice.upheld': '异议成立',
    'notice.link': '公示网址（无需登录，可直接转发）',
    'notice.copy': '复制网址',
    'notice.copied': '已复制公示网址',
    'notice.open': '在新窗口打开',
    'notice.listFrame': '公示名单首页（公众所见）',
    'notice.schoolFrame': '学校公示页（公众所见）',
    'notice.school': '选择学校',
    'notice.takenDown': '公示期已于 {at} 结束，公示页已撤下。',
    'notice.preview': '公示预览',
    'notice.previewLead': '审核通过前的预览：与正式公示使用同一版式和内容，公示时间在审核通过时按工作日历确定。',
    'notice.previewFrame': '{school}公示预览',
    'notice.noRecipients': '该校没有受助学生，不生成公示。',
    'notice.notYet': '核验完成后可预览公示名单。',
    'notice.frameNote': '框内即公众打开公示网址时看到的页面。',
  },
  en: {
    'notice.public': 'The public notice',
    'notice.period': 'Notice period',
    'notice.periodValue': '{from} to {to} ({n} working days)',
    'notice.published': 'Published',
    'notice.endsAt': 'Ends',
    'notice.documents': 'Notice documents',
    'notice.documentsValue': '{schools} schools, {rows} rows',
    'notice.documentsPending': 'The schools\' pages are being rendered; they show below when done…',
    'notice.objectionsOpen': 'Open objections',
    'notice.held': 'People whose payment is held',
    'notice.upheld': 'Objections upheld',
    'notice.link': 'Public address (no sign-in; share as is)',
    'notice.copy': 'Copy the address',
    'notice.copied': 'Public address copied',
    'notice.open': 'Open in a new window',
    'notice.listFrame': 'The notice\'s list of schools (as the public sees it)',
    'notice.schoolFrame': 'A school\'s notice (as the public sees it)',
    'notice.school': 'School',
    'notice.takenDown': 'The notice ended at {at} and was taken down.',
    'notice.preview': 'Notice preview',
    'notice.previewLead': 'A preview before approval: the same layout and content as the published notice; its period is set on approval from the working-day calendar.',
    'notice.previewFrame': 'Notice preview of {school}',
    'notice.noRecipients': 'This school has no recipients; it gets no notice.',
    'notice.notYet': 'The notice can be previewed once verification completes.',
    'notice.frameNote': 'The frame shows exactly the page the public opens at the address.',
  },
});

function publicUrl(cycleId, schoolCode) {
  return new URL(`/notices/${encodeURIComponent(cycleId)}${schoolCode ? `/${encodeURIComponent(schoolCode)}` : ''}`, location.origin).href;
}

function linkBox(url) {
  const input = h('input', { type: 'url', readonly: true, value: url, class: 'notice-link', name: 'notice-link' });
  input.addEventListener('focus', () => input.select());
  const copy = h('button', { type: 'button', class: 'btn btn-secondary' }, t('notice.copy'));
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      input.select();
      document.execCommand?.('copy');
    }
    toast(t('notice.copied'));
  });
  return h('div', { class: 'notice-link-box' },
    field(t('notice.link'), input),
    h('div', { class: 'form-actions' }, copy, h('a', { href: url, target: '_blank', rel: 'noopener', class: 'btn btn-ghost' }, t('notice.open'))));
}

/** The schools a notice can show: those verification found, or the officer's own. */
function schoolsOf(cycle, me) {
  return me.role === 'school_officer' ? [me.schoolCode] : (cycle.verification?.schools ?? []);
}

function schoolPicker(schools, selected, onChange, names = {}) {
  const select = h('select', { name: 'notice-school' },
    schools.map((code) => h('option', { value: code, selected: code === selected }, names[code] ? `${names[code]}（${code}）` : code)));
  select.addEventListener('change', () => onChange(select.value));
  return field(t('notice.school'), select);
}

/** Approval renders every school's documents in the background: wait for them, then show the frames. */
async function awaitDocuments(container, cycle, refresh) {
  // Backs off from 1.5 s to 30 s and gives up after ten minutes (a dead-lettered render shows on the overview).
  for (let delay = 1500, waited = 0; waited < 600_000; waited += delay, delay = Math.min(delay * 2, 30_000)) {
    await new Promise((resolve) => { setTimeout(resolve, delay); });
    if (!container.isConnected) {
      return;
    }
    const latest = await api.get(`/api/cycles/${encodeURIComponent(cycle.id)}`);
    if (!container.isConnected || latest.deadLetters?.length) {
      return;
    }
    if (latest.notice?.documents || latest.stage !== 'notice') {
      await refresh();
      return;
    }
  }
}

async function published(container, cycle, me, refresh) {
  const notice = cycle.notice;
  const ended = Boolean(notice.takenDownAt) || cycle.stage !== 'notice';
  container.append(subsection(t('notice.public'),
    ended ? h('p', { class: 'alert alert-info', role: 'status' }, badge(t('stage.closed'), 'muted'), ' ', t('notice.takenDown', { at: dateTime(notice.takenDownAt ?? notice.endsAt) })) : null,
    facts([
      [t('notice.period'), t('notice.periodValue', { from: dateTime(notice.publishedAt), to: dateTime(notice.endsAt), n: notice.workingDays })],
      [t('notice.documents'), notice.documents ? t('notice.documentsValue', { schools: count(notice.documents.schools), rows: count(notice.documents.rows) }) : t('notice.documentsPending')],
      [t('notice.objectionsOpen'), h('span', {}, count(notice.objectionsOpen ?? 0), ' ', notice.objectionsOpen ? badge(t('review.undecided'), 'warn') : null)],
      [t('notice.held'), count(notice.held ?? 0)],
      [t('notice.upheld'), count(notice.objectionsUpheld ?? 0)],
    ]),
    ended ? null : linkBox(publicUrl(cycle.id))));

  if (ended) {
    // The public pages are gone (410); the preview still shows what was published.
    await preview(container, cycle, me, { lead: false });
    return;
  }
  if (!notice.documents) {
    awaitDocuments(container, cycle, refresh).catch((error) => container.append(problem(error)));
    return;
  }

  // The list of schools with a notice, as the public API gives it (anonymous, same origin).
  let names = {};
  let schools = schoolsOf(cycle, me);
  try {
    const listing = await api.get(`/notices/${encodeURIComponent(cycle.id)}`);
    names = Object.fromEntries((listing.schools ?? []).map((s) => [s.schoolCode, s.schoolName]));
    const listed = (listing.schools ?? []).map((s) => s.schoolCode);
    schools = me.role === 'school_officer' ? schools.filter((s) => listed.includes(s)) : listed;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) {
      container.append(problem(error));
    }
  }

  const frameTitle = (code) => `${t('notice.schoolFrame')}：${names[code] ?? code}`;
  const schoolFrame = h('iframe', { class: 'notice-frame', title: frameTitle(schools[0]), src: schools[0] ? publicUrl(cycle.id, schools[0]) : 'about:blank', loading: 'lazy' });
  const schoolLink = h('div', {}, schools[0] ? linkBox(publicUrl(cycle.id, schools[0])) : null);
  container.append(...[
    me.role === 'school_officer' ? null : h('section', { class: 'panel' },
      h('h3', {}, t('notice.listFrame')),
      h('p', { class: 'hint' }, t('notice.frameNote')),
      h('iframe', { class: 'notice-frame notice-frame-list', title: t('notice.listFrame'), src: publicUrl(cycle.id) })),
    h('section', { class: 'panel' },
      h('h3', {}, t('notice.schoolFrame')),
      schools.length
        ? [schoolPicker(schools, schools[0], (code) => {
          schoolFrame.src = publicUrl(cycle.id, code);
          schoolFrame.title = frameTitle(code);
          schoolLink.replaceChildren(linkBox(publicUrl(cycle.id, code)));
        }, names), schoolLink, schoolFrame]
        : h('p', { class: 'empty' }, t('notice.noRecipients'))),
  ].filter(Boolean));
}

/**
 * Shows the API's rendered preview in a frame. The console's own policy forbids inline styles, and a srcdoc frame
 * inherits it: the notice's stylesheet is taken out of the document and given to the frame as a constructed sheet.
 */
function showHtml(frame, html) {
  // Taken out as text: even an inert parsed document would apply the console's policy to the style element.
  const styles = [];
  const body = html.replace(/<style>([\s\S]*?)<\/style>/g, (_, css) => { styles.push(css); return ''; });
  const css = styles.join('\n');
  // Some browsers first fire load for about:blank when the frame is inserted: style only the srcdoc document.
  const apply = () => {
    const inner = frame.contentDocument;
    if (!inner || inner.URL !== 'about:srcdoc') {
      return;
    }
    frame.removeEventListener('load', apply);
    if (css) {
      const sheet = new frame.contentWindow.CSSStyleSheet();
      sheet.replaceSync(css);
      inner.adoptedStyleSheets = [sheet];
    }
  };
  frame.addEventListener('load', apply);
  frame.srcdoc = body;
}

async function preview(container, cycle, me, { lead = true } = {}) {
  const schools = schoolsOf(cycle, me);
  const holder = h('div', { class: 'notice-preview', 'aria-live': 'polite' });
  const load = async (code) => {
    holder.replaceChildren();
    try {
      const html = await api.send('GET', `/api/cycles/${encodeURIComponent(cycle.id)}/notice-preview/${encodeURIComponent(code)}`, { accept: 'text/html' });
      const frame = h('iframe', { class: 'notice-frame notice-frame-preview', title: t('notice.previewFrame', { school: code }), sandbox: 'allow-same-origin' });
      holder.replaceChildren(frame);
      showHtml(frame, html);
    } catch (error) {
      holder.replaceChildren(error instanceof ApiError && error.status === 404 ? h('p', { class: 'empty' }, t('notice.noRecipients')) : problem(error));
    }
  };
  container.append(h('section', { class: 'panel' },
    h('h3', {}, t('notice.preview')),
    lead ? h('p', { class: 'hint' }, t('notice.previewLead')) : null,
    schools.length ? schoolPicker(schools, schools[0], load) : null,
    holder));
  if (schools.length) {
    await load(schools[0]);
  }
}

export default async function render(container, { cycle, me, refresh }) {
  await import('./cycle-review.js'); // shared words (undecided)
  container.append(h('h2', {}, t('tab.notice')));
  if (cycle.notice?.publishedAt) {
    await published(container, cycle, me, refresh);
  } else if (cycle.verification?.status === 'completed') {
    await preview(container, cycle, me);
  } else {
    container.append(h('p', { class: 'empty' }, t('notice.notYet')));
  }
}
