// The cycle's "review" tab: the discrepancies of the current verification (filter by kind and school, page by page),
// each with its kind in words, the masked data the API gives and its decision; name mismatches are decided here
// (the bureau, or the officer of the student's school). Then approval (bureau): what it does, and why it is refused.

import { t, strings, lang } from '../i18n.js';
import { api, allows, waits } from '../api.js';
import { h, badge, count, dateTime, field, subsection, table, problem, toast } from '../ui.js';
import { LISTED_KINDS } from './cycle-overview.js';

strings({
  zh: {
    'review.list': '核验发现的问题',
    'review.caption': '核验问题清单',
    'review.notYet': '核验尚未完成，完成后在此列出问题。',
    'review.filterKind': '问题类型',
    'review.allKinds': '全部类型',
    'review.filterSchool': '学校',
    'review.allSchools': '全部学校',
    'review.apply': '筛选',
    'review.kind': '问题类型',
    'review.where': '来源',
    'review.row': '{file}第 {n} 行',
    'review.names': '姓名',
    'review.studentName': '学籍：{name}',
    'review.outsideName': '外地就学：{name}',
    'review.povertyName': '建档立卡：{name}',
    'review.school': '学校',
    'review.idNumber': '身份证号（已脱敏）',
    'review.details': '说明',
    'review.age': '{age} 岁',
    'review.place': '{township}{village}',
    'review.decision': '决定',
    'review.confirmed': '确认为同一人',
    'review.rejected': '不予资助',
    'review.undecided': '待决定',
    'review.noDecision': '无需决定',
    'review.decidedBy': '{who}，{at}：{reason}',
    'review.reason': '决定理由',
    'review.reasonHint': '必填，最多 500 字，例如“经核对户口簿为同一人”。',
    'review.confirm': '确认同一人并资助',
    'review.reject': '不予资助',
    'review.reasonRequired': '请填写决定理由。',
    'review.decided': '已记录决定：{decision}',
    'review.more': '加载更多',
    'review.shown': '已显示 {n} 条',
    'review.approve': '审核通过',
    'review.approveWhat': '审核通过后立即发布各校公示名单：公示期为 {n} 个工作日，自今天（如今天不是工作日，则自下一个工作日）起按国务院公布的工作日历计算，至第 {n} 个工作日 24 时前结束。公示期间受理异议，期满后才生成发放批次。',
    'review.approveButton': '审核通过并开始公示',
    'review.approveConfirm': '确认公示',
    'review.approveConfirmText': '审核通过后，{n} 所学校的受助学生名单将立即向社会公示，且不能撤回。确认吗？',
    'review.approvePeriod': '如现在审核通过，公示期至 {at}（{n} 个工作日）。',
    'review.calendarMissing': '公示期跨入尚未录入国务院放假安排的年份，已按周末推算，请核对。',
    'review.approveBlocked': '尚有 {n} 条姓名不一致未决定，全部决定后才能审核通过。',
    'review.approveStage': '本周期处于“{stage}”阶段，只有“待审核”阶段可以审核通过。',
    'review.approved': '已审核通过，公示至 {at}',
    'review.contactsMissing': '本县尚未登记监督电话和来信来访地址，公示必须载明。',
    'review.contactsLink': '登记本县联系方式',
    'review.file.students': '学籍名册',
    'review.file.poverty': '建档立卡名册',
    'review.file.outside': '外地就学名单',
    'review.grade': '{n} 年级',
  },
  en: {
    'review.list': 'What verification found',
    'review.caption': 'Discrepancies',
    'review.notYet': 'Verification has not completed; its findings are listed here once it has.',
    'review.filterKind': 'Issue',
    'review.allKinds': 'All issues',
    'review.filterSchool': 'School',
    'review.allSchools': 'All schools',
    'review.apply': 'Filter',
    'review.kind': 'Issue',
    'review.where': 'Source',
    'review.row': '{file} row {n}',
    'review.names': 'Name',
    'review.studentName': 'Student roster: {name}',
    'review.outsideName': '外地就学 list: {name}',
    'review.povertyName': 'Poverty registry: {name}',
    'review.school': 'School',
    'review.idNumber': 'ID number (masked)',
    'review.details': 'Details',
    'review.age': 'age {age}',
    'review.place': '{township} {village}',
    'review.decision': 'Decision',
    'review.confirmed': 'Confirmed: same person',
    'review.rejected': 'Rejected',
    'review.undecided': 'Undecided',
    'review.noDecision': 'No decision needed',
    'review.decidedBy': '{who}, {at}: {reason}',
    'review.reason': 'Reason for the decision',
    'review.reasonHint': 'Required, up to 500 characters, e.g. "same person per the household register".',
    'review.confirm': 'Confirm same person and pay',
    'review.reject': 'Reject',
    'review.reasonRequired': 'Give a reason for the decision.',
    'review.decided': 'Decision recorded: {decision}',
    'review.more': 'Load more',
    'review.shown': '{n} shown',
    'review.approve': 'Approval',
    'review.approveWhat': 'Approval publishes every school\'s notice at once: the notice runs {n} working days, counted from today (or the next working day when today is not one) on the State Council\'s working-day calendar, and ends at midnight of the {n}th working day. Objections are taken meanwhile; payment batches are cut only after it ends.',
    'review.approveButton': 'Approve and publish the notice',
    'review.approveConfirm': 'Publish the notice',
    'review.approveConfirmText': 'Once approved, the aid lists of {n} schools are published to the public at once and cannot be withdrawn. Go ahead?',
    'review.approvePeriod': 'Approved now, the notice would run until {at} ({n} working days).',
    'review.calendarMissing': 'The period reaches a year whose official holiday calendar is not entered; weekends alone were counted. Check it.',
    'review.approveBlocked': '{n} name mismatches are undecided; approval needs every one decided.',
    'review.approveStage': 'The cycle is in stage "{stage}"; only a cycle in review can be approved.',
    'review.approved': 'Approved; the notice runs until {at}',
    'review.contactsMissing': 'The county has no hotline number and objection address yet; a notice must print them.',
    'review.contactsLink': 'Enter the county\'s contacts',
    'review.file.students': 'Student roster',
    'review.file.poverty': 'Poverty registry',
    'review.file.outside': '外地就学 list',
    'review.grade': 'grade {n}',
  },
});

const PAGE_SIZE = 50;
const TONES = { invalidId: 'bad', duplicateId: 'warn', nameMismatch: 'info', notEnrolled: 'warn', invalidRow: 'bad' };

function decisionView(d) {
  if (d.decision) {
    return h('div', {},
      badge(t(d.decision === 'confirm' ? 'review.confirmed' : 'review.rejected'), d.decision === 'confirm' ? 'ok' : 'muted'),
      h('p', { class: 'muted decision-by' }, t('review.decidedBy', { who: d.decidedBy ?? '', at: dateTime(d.decidedAt), reason: d.decisionReason ?? '' })));
  }
  return d.kind === 'nameMismatch' ? badge(t('review.undecided'), 'warn') : h('span', { class: 'muted' }, t('review.noDecision'));
}

function canDecide(d, cycle, me) {
  return d.kind === 'nameMismatch' && !d.decision && allows(cycle, 'decideNameMismatch')
    && (me.role === 'bureau_admin' || (me.role === 'school_officer' && d.schoolCode === me.schoolCode));
}

/** The reason field and the two decisions of one name mismatch. */
function decisionForm(d, cycle, onDecided) {
  const errors = h('div', { 'aria-live': 'polite' });
  const reason = h('input', { type: 'text', name: 'reason', maxlength: '500', required: true, autocomplete: 'off' });
  const who = d.studentName ?? d.povertyName ?? '';
  reason.id = `reason-${d.id}`;
  const decide = (decision) => async () => {
    if (!reason.value.trim()) {
      errors.replaceChildren(h('p', { class: 'alert alert-bad', role: 'alert' }, t('review.reasonRequired')));
      reason.focus();
      return;
    }
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const decided = await api.post(`/api/cycles/${encodeURIComponent(cycle.id)}/discrepancies/${encodeURIComponent(d.id)}/decision`, { decision, reason: reason.value.trim() });
      toast(t('review.decided', { decision: t(decision === 'confirm' ? 'review.confirmed' : 'review.rejected') }));
      await onDecided(decided);
    } catch (error) {
      errors.replaceChildren(problem(error));
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
  const buttons = [
    h('button', { type: 'button', class: 'btn btn-primary btn-small', onclick: decide('confirm'), 'aria-describedby': reason.id }, t('review.confirm')),
    h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: decide('reject'), 'aria-describedby': reason.id }, t('review.reject')),
  ];
  buttons.forEach((b) => b.setAttribute('aria-label', `${b.textContent}：${who}`));
  return h('div', { class: 'decision-form' },
    badge(t('review.undecided'), 'warn'),
    field(t('review.reason'), reason, t('review.reasonHint')),
    h('div', { class: 'decision-actions' }, buttons),
    errors);
}

function filters(cycle, me, query, navigate, path) {
  const kind = h('select', { name: 'kind' },
    h('option', { value: '' }, t('review.allKinds')),
    LISTED_KINDS.map((k) => h('option', { value: k, selected: query.get('kind') === k }, t(`kind.${k}`))));
  const controls = [field(t('review.filterKind'), kind)];
  let school = null;
  if (me.role !== 'school_officer') {
    school = h('select', { name: 'schoolCode' },
      h('option', { value: '' }, t('review.allSchools')),
      (cycle.verification?.schools ?? []).map((code) => h('option', { value: code, selected: query.get('school') === code }, code)));
    controls.push(field(t('review.filterSchool'), school));
  }
  const form = h('form', { class: 'toolbar review-filters', role: 'search' }, controls, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('review.apply')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    if (kind.value) {
      params.set('kind', kind.value);
    }
    if (school?.value) {
      params.set('school', school.value);
    }
    const q = params.toString();
    navigate(`${path('review')}${q ? `?${q}` : ''}`);
  });
  return form;
}

function discrepancyTable(items, cycle, me, onDecided) {
  return table(t('review.caption'), [
    { label: t('review.kind'), value: (d) => badge(t(`kind.${d.kind}`), TONES[d.kind] ?? 'info') },
    { label: t('review.where'), value: (d) => [d.studentRow ? t('review.row', { file: t('review.file.students'), n: d.studentRow }) : null, d.povertyRow ? t('review.row', { file: t('review.file.poverty'), n: d.povertyRow }) : null, d.file === 'outside' ? t('review.file.outside') : null].filter(Boolean).map((line) => h('div', {}, line)) },
    { label: t('review.names'), value: (d) => [d.studentName ? h('div', {}, t(d.file === 'outside' ? 'review.outsideName' : 'review.studentName', { name: d.studentName })) : null, d.povertyName ? h('div', {}, t('review.povertyName', { name: d.povertyName })) : null] },
    { label: t('review.school'), value: schoolCell },
    { label: t('review.idNumber'), value: (d) => h('code', {}, d.idNumber ?? '—') },
    { label: t('review.details'), value: (d) => [h('div', {}, (lang() === 'en' && d.reasonEn) || d.reason), d.column ? h('div', { class: 'muted' }, d.column) : null, d.age !== null && d.age !== undefined ? h('div', { class: 'muted' }, t('review.age', { age: d.age })) : null, d.township || d.village ? h('div', { class: 'muted' }, t('review.place', { township: d.township ?? '', village: d.village ?? '' })) : null] },
    { label: t('review.decision'), value: (d) => (canDecide(d, cycle, me) ? decisionForm(d, cycle, onDecided) : decisionView(d)) },
  ], items, { rowAttrs: (d) => ({ 'data-id': d.id, class: d.kind === 'nameMismatch' && !d.decision ? 'row-warn' : null }) });
}

/** A county school with its code; a school outside the county (外地就学) with where it is, its 学段 and 年级. */
function schoolCell(d) {
  if (!d.schoolName) {
    return '—';
  }
  if (d.schoolCode) {
    return `${d.schoolName}（${d.schoolCode}）`;
  }
  return d.place ? [h('div', {}, d.schoolName), h('div', { class: 'muted' }, [d.place, d.stage, d.grade ? t('review.grade', { n: d.grade }) : null].filter(Boolean).join(' · '))] : d.schoolName;
}

function approvalPanel(cycle, navigate, path) {
  const [pending] = waits(cycle, 'nameMismatches');
  const inReview = waits(cycle, 'approval', 'nameMismatches').length > 0;
  const errors = h('div', { 'aria-live': 'polite' });
  const blocked = allows(cycle, 'approve') ? null : pending ? t('review.approveBlocked', { n: count(pending.count) }) : t('review.approveStage', { stage: t(`stage.${cycle.stage}`) });
  const button = h('button', { type: 'button', class: 'btn btn-primary', disabled: Boolean(blocked), 'aria-describedby': 'approve-what' }, t('review.approveButton'));
  // Approval puts children's names before the public and cannot be undone: it takes a second, explicit click.
  const confirmBox = h('div', { class: 'alert alert-warn approve-confirm', role: 'alertdialog', 'aria-labelledby': 'approve-confirm-text', hidden: true });
  const confirmButton = h('button', { type: 'button', class: 'btn btn-danger' }, t('review.approveConfirm'));
  const cancelButton = h('button', { type: 'button', class: 'btn btn-secondary' }, t('common.cancel'));
  confirmBox.append(h('p', { id: 'approve-confirm-text' }, t('review.approveConfirmText', { n: count(cycle.verification?.schools?.length ?? 0) })), h('div', { class: 'form-actions-inline' }, confirmButton, cancelButton));
  button.addEventListener('click', () => {
    confirmBox.hidden = false;
    confirmButton.focus();
  });
  cancelButton.addEventListener('click', () => {
    confirmBox.hidden = true;
    button.focus();
  });
  confirmButton.addEventListener('click', async () => {
    confirmBox.hidden = true;
    button.disabled = true;
    try {
      const approved = await api.post(`/api/cycles/${encodeURIComponent(cycle.id)}/approve`);
      toast(t('review.approved', { at: dateTime(approved.notice?.endsAt) }));
      navigate(path('notice'));
    } catch (error) {
      const contacts = error.problem?.errors?.contacts;
      // replaceChildren writes a null as the text "null": leave the optional part out instead.
      errors.replaceChildren(...[problem(error),
        contacts ? h('p', { class: 'alert alert-warn' }, t('review.contactsMissing'), ' ', h('a', { href: `#/counties/${encodeURIComponent(cycle.countyCode)}/contacts` }, t('review.contactsLink'))) : null].filter(Boolean));
      button.disabled = false;
    }
  });
  const period = h('p', { class: 'approve-period', 'aria-live': 'polite' });
  if (inReview) {
    api.get(`/api/cycles/${encodeURIComponent(cycle.id)}/notice-period`).then((p) => {
      period.replaceChildren(...[t('review.approvePeriod', { at: dateTime(p.endsAt), n: p.workingDays }),
        p.calendarMissing ? h('span', { class: 'alert alert-warn' }, ' ', t('review.calendarMissing')) : null].filter(Boolean));
    }).catch((error) => period.replaceChildren(problem(error)));
  }
  return h('section', { class: 'panel approval' },
    h('h3', {}, t('review.approve')),
    h('p', { id: 'approve-what' }, t('review.approveWhat', { n: cycle.noticeDays })),
    period,
    blocked ? h('p', { class: 'alert alert-warn', role: 'status' }, badge(t('review.undecided'), 'warn'), ' ', blocked) : null,
    button,
    confirmBox,
    errors);
}

export default async function render(container, { cycle, me, query, navigate, refresh, path }) {
  container.append(h('h2', {}, t('tab.review')));
  if (cycle.verification?.status !== 'completed') {
    container.append(subsection(t('review.list'), h('p', { class: 'empty' }, t('review.notYet'))));
    return;
  }

  const params = new URLSearchParams({ pageSize: String(PAGE_SIZE) });
  if (query.get('kind')) {
    params.set('kind', query.get('kind'));
  }
  const school = me.role === 'school_officer' ? me.schoolCode : query.get('school');
  if (school) {
    params.set('schoolCode', school);
  }
  const base = `/api/cycles/${encodeURIComponent(cycle.id)}/discrepancies?${params}`;
  const first = await api.get(base);
  const items = [...first.items];
  let token = first.continuationToken;

  const listHolder = h('div', {});
  const approvalHolder = h('div', {});
  const showApproval = (latest) => approvalHolder.replaceChildren(
    me.role === 'bureau_admin' && waits(latest, 'verification', 'verificationFailed', 'nameMismatches', 'approval').length ? approvalPanel(latest, navigate, path) : '');
  // A decision redraws its row and the approval panel in place: pages already loaded, the scroll position and the
  // user's place in the list stay; focus moves on to the next undecided mismatch.
  const onDecided = async (decided) => {
    const index = items.findIndex((d) => d.id === decided.id);
    if (index >= 0) {
      items[index] = { ...items[index], ...decided };
    }
    listHolder.replaceChildren(discrepancyTable(items, cycle, me, onDecided));
    showApproval(await api.get(`/api/cycles/${encodeURIComponent(cycle.id)}`));
    (listHolder.querySelector('input[name="reason"]') ?? approvalHolder.querySelector('button'))?.focus();
  };
  listHolder.append(discrepancyTable(items, cycle, me, onDecided));
  showApproval(cycle);
  const shown = h('p', { class: 'muted', 'aria-live': 'polite' }, t('review.shown', { n: count(items.length) }));
  const more = h('button', { type: 'button', class: 'btn btn-secondary', hidden: !token }, t('review.more'));
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const page = await api.get(`${base}&continuationToken=${encodeURIComponent(token)}`);
      items.push(...page.items);
      token = page.continuationToken;
      listHolder.replaceChildren(discrepancyTable(items, cycle, me, onDecided));
      shown.textContent = t('review.shown', { n: count(items.length) });
      more.hidden = !token;
    } catch (error) {
      listHolder.append(problem(error));
    } finally {
      more.disabled = false;
    }
  });

  container.append(...[
    h('section', { class: 'panel' },
      h('h3', {}, t('review.list')),
      filters(cycle, me, query, navigate, path),
      listHolder,
      h('div', { class: 'toolbar' }, shown, more)),
    approvalHolder,
  ]);
}
