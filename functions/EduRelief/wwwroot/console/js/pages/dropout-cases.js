// A county's 控辍保学 cases: the board (#/counties/{code}/dropout-cases), by township and village with the 七长制 chain
// and this week's check, and one case (#/counties/{code}/dropout-cases/{id}) with its history, weekly notes, evidence,
// outcome and the confirmation of a return. The API decides who may do what; the page offers what the role may.

import { t, strings } from '../i18n.js';
import { api, getAll } from '../api.js';
import { h, badge, clear, dateTime, facts, field, fileUpload, problem, table, toast, actionButton } from '../ui.js';

strings({
  zh: {
    'dc.title': '控辍保学（{code}）',
    'dc.lead': '每名未入学的适龄儿童一案：劝返中每周须填写一次进展（周一至周日），直至返校、送教上门、延缓入学或休学、县外就学、迁出或死亡结案。',
    'dc.week': '本周：{start} 至 {end}',
    'dc.notInSchool': '未入学',
    'dc.persuading': '劝返中',
    'dc.closed': '已结案',
    'dc.township': '乡镇',
    'dc.noTownship': '未登记乡镇',
    'dc.townshipHead': '乡镇长',
    'dc.centralPrincipal': '中心校校长',
    'dc.village': '村',
    'dc.villageHead': '村委会主任',
    'dc.missingWeek': '本周未填写进展',
    'dc.unnamed': '未登记',
    'dc.villages': '{township}各村',
    'dc.cases': '全部案件',
    'dc.name': '姓名',
    'dc.status': '状态',
    'dc.place': '乡镇、村',
    'dc.school': '学校',
    'dc.thisWeek': '本周进展',
    'dc.noted': '已填写',
    'dc.notNoted': '未填写',
    'dc.none': '没有控辍保学案件。',
    'dc.back': '返回控辍保学看板',
    'dc.idNumber': '身份证号（已脱敏）',
    'dc.openedCycle': '立案周期',
    'dc.openedAt': '立案时间',
    'dc.openedBy': '立案原因',
    'dc.by.notEnrolled': '建档立卡适龄儿童未见于学籍',
    'dc.by.absentSchoolAge': '上学期享受资助、本学期未见于学籍',
    'dc.cycles': '经历周期',
    'dc.weeksMissing': '缺少周进展',
    'dc.weekOf': '{week} 起的一周',
    'dc.outcome': '结案结果',
    'dc.confirmed': '返校确认',
    'dc.awaitsConfirmation': '待返校学校或名册确认',
    'dc.chain': '责任链（七长制）',
    'dc.chainAdministrative': '行政线',
    'dc.chainEducation': '教育线',
    'dc.chainMissing': '尚未登记：{list}。请在县联系方式中补充。',
    'dc.notes': '每周进展',
    'dc.noNotes': '尚无进展记录。',
    'dc.note': '进展情况',
    'dc.persuadingStarted': '已开始劝返',
    'dc.addNote': '填写进展',
    'dc.noteSaved': '已记录本周进展',
    'dc.evidence': '佐证材料',
    'dc.noEvidence': '尚无佐证材料。',
    'dc.uploadFile': '选择文件',
    'dc.uploadHint': 'PDF、图片或 XLSX，最大 20 MB（如延缓入学证明、迁出证明）。',
    'dc.uploadButton': '上传佐证材料',
    'dc.progress': '上传进度',
    'dc.chooseFile': '请先选择文件。',
    'dc.uploaded': '已上传佐证材料',
    'dc.record': '登记结案结果',
    'dc.outcomeLabel': '结果',
    'dc.date': '日期',
    'dc.schoolCode': '就读学校标识码',
    'dc.schoolName': '就读学校名称',
    'dc.teacher': '送教教师',
    'dc.visitPlan': '送教计划',
    'dc.useEvidence': '附佐证材料',
    'dc.outcomeNote': '备注',
    'dc.save': '登记结果',
    'dc.saved': '已登记结案结果',
    'dc.confirm': '确认已返校',
    'dc.confirmedNow': '已确认返校',
    'dc.history': '办理记录',
    'dc.historyWhen': '时间',
    'dc.historyWhat': '事项',
    'dc.historyWho': '办理人',
    'dc.historyNote': '说明',
    'dc.system': '系统（学籍核验）',
    'dc.ev.opened': '立案',
    'dc.ev.note': '开始劝返',
    'dc.ev.seen': '新学期核验仍未入学',
    'dc.ev.outcome': '登记结果',
    'dc.ev.confirmed': '确认返校',
    'dc.readOnly': '您只能查看此案件。',
    'dc.st.not_in_school': '未入学',
    'dc.st.persuading': '劝返中',
    'dc.st.returned': '已返校',
    'dc.st.home_schooling': '送教上门',
    'dc.st.deferred': '延缓入学或休学',
    'dc.st.outside_county': '县外就学',
    'dc.st.moved_out': '已迁出',
    'dc.st.deceased': '已死亡',
  },
  en: {
    'dc.title': '控辍保学 cases ({code})',
    'dc.lead': 'One case per school-age child out of school: a progress note every week (Monday to Sunday) until the child is back at school, schooled at home, deferred, at school outside the county, moved out or deceased.',
    'dc.week': 'This week: {start} to {end}',
    'dc.notInSchool': 'Not in school',
    'dc.persuading': 'Persuading',
    'dc.closed': 'Closed',
    'dc.township': 'Township',
    'dc.noTownship': 'No township',
    'dc.townshipHead': 'Township head',
    'dc.centralPrincipal': 'Central school principal',
    'dc.village': 'Village',
    'dc.villageHead': 'Village head',
    'dc.missingWeek': 'No note this week',
    'dc.unnamed': 'not named',
    'dc.villages': 'Villages of {township}',
    'dc.cases': 'All cases',
    'dc.name': 'Name',
    'dc.status': 'Status',
    'dc.place': 'Township, village',
    'dc.school': 'School',
    'dc.thisWeek': 'This week',
    'dc.noted': 'Noted',
    'dc.notNoted': 'Not noted',
    'dc.none': 'No cases.',
    'dc.back': 'Back to the board',
    'dc.idNumber': 'ID number (masked)',
    'dc.openedCycle': 'Opened in',
    'dc.openedAt': 'Opened at',
    'dc.openedBy': 'Why',
    'dc.by.notEnrolled': 'Registered child of school age in no roster',
    'dc.by.absentSchoolAge': 'Aided last semester, in no roster now',
    'dc.cycles': 'Cycles',
    'dc.weeksMissing': 'Weeks without a note',
    'dc.weekOf': 'week of {week}',
    'dc.outcome': 'Outcome',
    'dc.confirmed': 'Return confirmed by',
    'dc.awaitsConfirmation': 'Awaiting the school or the next roster',
    'dc.chain': 'Responsibility chain (七长制)',
    'dc.chainAdministrative': 'Administrative line',
    'dc.chainEducation': 'Education line',
    'dc.chainMissing': 'Not yet named: {list}. Add them to the county contacts.',
    'dc.notes': 'Weekly notes',
    'dc.noNotes': 'No notes yet.',
    'dc.note': 'Progress',
    'dc.persuadingStarted': 'Persuasion has started',
    'dc.addNote': 'Add the note',
    'dc.noteSaved': 'This week’s note is recorded',
    'dc.evidence': 'Evidence',
    'dc.noEvidence': 'No evidence yet.',
    'dc.uploadFile': 'File',
    'dc.uploadHint': 'PDF, image or XLSX, at most 20 MB (a deferral certificate, a move-out record).',
    'dc.uploadButton': 'Upload evidence',
    'dc.progress': 'Upload progress',
    'dc.chooseFile': 'Choose a file first.',
    'dc.uploaded': 'Evidence uploaded',
    'dc.record': 'Record the outcome',
    'dc.outcomeLabel': 'Outcome',
    'dc.date': 'Date',
    'dc.schoolCode': 'School code',
    'dc.schoolName': 'School name',
    'dc.teacher': 'Teacher',
    'dc.visitPlan': 'Visit plan',
    'dc.useEvidence': 'Attach evidence',
    'dc.outcomeNote': 'Note',
    'dc.save': 'Record',
    'dc.saved': 'Outcome recorded',
    'dc.confirm': 'Confirm the return',
    'dc.confirmedNow': 'Return confirmed',
    'dc.history': 'History',
    'dc.historyWhen': 'When',
    'dc.historyWhat': 'What',
    'dc.historyWho': 'By',
    'dc.historyNote': 'Note',
    'dc.system': 'System (verification)',
    'dc.ev.opened': 'Opened',
    'dc.ev.note': 'Persuasion started',
    'dc.ev.seen': 'Still out of school at a new cycle',
    'dc.ev.outcome': 'Outcome recorded',
    'dc.ev.confirmed': 'Return confirmed',
    'dc.readOnly': 'You can read this case only.',
    'dc.st.not_in_school': 'Not in school',
    'dc.st.persuading': 'Persuading',
    'dc.st.returned': 'Returned',
    'dc.st.home_schooling': 'Schooled at home',
    'dc.st.deferred': 'Deferred',
    'dc.st.outside_county': 'Outside the county',
    'dc.st.moved_out': 'Moved out',
    'dc.st.deceased': 'Deceased',
  },
});

const OUTCOMES = ['returned', 'home_schooling', 'deferred', 'outside_county', 'moved_out', 'deceased'];
const TONES = { not_in_school: 'bad', persuading: 'warn' };
const statusBadge = (status) => badge(t(`dc.st.${status}`), TONES[status] ?? 'ok');

export default async function render(page, ctx) {
  if (ctx.params.caseId) {
    await renderCase(page, ctx);
    return;
  }
  const code = ctx.params.countyCode;
  const base = `/api/counties/${encodeURIComponent(code)}/dropout-cases`;
  page.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/cycles' }, t('nav.cycles'))),
    h('h1', {}, t('dc.title', { code })),
    h('p', { class: 'lead' }, t('dc.lead')));
  try {
    const [board, cases] = await Promise.all([api.get(`${base}/board`), getAll(`${base}?pageSize=1000`, 20000)]);
    page.append(boardView(code, board), caseList(code, cases));
  } catch (error) {
    page.append(problem(error));
  }
}

const caseLink = (code, c) => h('a', { href: `#/counties/${encodeURIComponent(code)}/dropout-cases/${encodeURIComponent(c.id)}` }, c.name);

function boardView(code, board) {
  const named = (name) => name ?? h('span', { class: 'muted' }, t('dc.unnamed'));
  return h('div', { 'data-testid': 'dropout-board' },
    h('p', {}, t('dc.week', { start: board.weekStart, end: board.weekEnd })),
    h('p', { class: 'rect-figures' },
      `${t('dc.notInSchool')} ${board.notInSchool} · ${t('dc.persuading')} ${board.persuading} · ${t('dc.closed')} ${board.closed}`),
    board.townships.map((town) => {
      const title = town.township ?? t('dc.noTownship');
      return h('section', { class: 'panel', 'data-testid': 'township' },
        h('h2', {}, title),
        h('p', {}, `${t('dc.townshipHead')}：`, named(town.head), ` · ${t('dc.centralPrincipal')}：`, named(town.centralSchoolPrincipal),
          ` · ${t('dc.missingWeek')}：${town.missingThisWeekCount}`),
        table(t('dc.villages', { township: title }), [
          { label: t('dc.village'), value: (v) => v.village ?? '—' },
          { label: t('dc.villageHead'), value: (v) => named(v.head) },
          { label: t('dc.notInSchool'), value: (v) => String(v.notInSchool) },
          { label: t('dc.persuading'), value: (v) => String(v.persuading) },
          { label: t('dc.closed'), value: (v) => String(v.closed) },
          { label: t('dc.missingWeek'), value: (v) => (v.missingThisWeek.length ? v.missingThisWeek.map((c, i) => [i ? '、' : '', caseLink(code, c)]) : '—') },
        ], town.villages));
    }));
}

function caseList(code, cases) {
  return h('section', { class: 'panel' },
    h('h2', {}, t('dc.cases')),
    table(t('dc.cases'), [
      { label: t('dc.name'), value: (c) => caseLink(code, c) },
      { label: t('dc.status'), value: (c) => statusBadge(c.status) },
      { label: t('dc.place'), value: (c) => [c.township, c.village].filter(Boolean).join(' ') || '—' },
      { label: t('dc.school'), value: (c) => c.schoolName ?? '—' },
      { label: t('dc.thisWeek'), value: (c) => (c.open ? badge(t(c.notedThisWeek ? 'dc.noted' : 'dc.notNoted'), c.notedThisWeek ? 'ok' : 'warn') : '—') },
    ], cases, { empty: t('dc.none'), rowAttrs: (c) => ({ 'data-id': c.id }) }));
}

async function renderCase(page, ctx) {
  const { params, me } = ctx;
  const code = params.countyCode;
  const base = `/api/counties/${encodeURIComponent(code)}/dropout-cases/${encodeURIComponent(params.caseId)}`;
  const back = h('p', { class: 'crumbs' }, h('a', { href: `#/counties/${encodeURIComponent(code)}/dropout-cases` }, t('dc.back')));
  let detail;
  try {
    detail = await api.get(base);
  } catch (error) {
    clear(page, back, h('h1', {}, t('dc.title', { code })), problem(error));
    return;
  }
  const c = detail.case;
  const reload = async () => {
    const fresh = h('div');
    await renderCase(fresh, ctx);
    clear(page, ...fresh.childNodes);
  };
  const writer = me.role === 'bureau_admin' || me.role === 'school_officer';
  const parts = [
    back,
    h('h1', {}, c.name),
    h('p', { 'data-testid': 'case-status' }, statusBadge(c.status), c.awaitingConfirmation ? [' ', badge(t('dc.awaitsConfirmation'), 'warn')] : null),
    h('section', { class: 'panel', 'aria-labelledby': 'dc-facts' },
      h('h2', { id: 'dc-facts' }, t('common.details')),
      facts([
        [t('dc.idNumber'), h('code', {}, c.idNumber)],
        [t('dc.place'), [c.township, c.village].filter(Boolean).join(' ') || '—'],
        c.schoolName ? [t('dc.school'), c.schoolName] : null,
        [t('dc.openedBy'), t(`dc.by.${c.openedBy}`)],
        [t('dc.openedCycle'), c.openedCycleId],
        [t('dc.openedAt'), dateTime(c.openedAt)],
        [t('dc.cycles'), c.cycles.join('、')],
        c.open ? [t('dc.thisWeek'), t(c.notedThisWeek ? 'dc.noted' : 'dc.notNoted')] : null,
        [t('dc.weeksMissing'), c.weeksMissing.length ? c.weeksMissing.map((w) => t('dc.weekOf', { week: w })).join('、') : '—'],
        c.outcome ? [t('dc.outcome'), outcomeText(c.outcome)] : null,
        c.confirmedBy ? [t('dc.confirmed'), `${c.confirmedBy}（${dateTime(c.confirmedAt)}）`] : null,
      ])),
    chainSection(detail.chain),
    notesSection(base, c, detail.notes, writer, reload),
    evidenceSection(base, c, detail.evidence, writer, reload),
  ];
  if (me.role === 'bureau_admin' && c.open) {
    parts.push(outcomeSection(base, detail.evidence, reload));
  }
  if (c.awaitingConfirmation && (me.role === 'bureau_admin' || (me.role === 'school_officer' && me.schoolCode === c.outcome?.schoolCode))) {
    const errors = h('div', { 'aria-live': 'polite' });
    parts.push(h('section', { class: 'panel' }, h('h2', {}, t('dc.confirmed')),
      actionButton(t('dc.confirm'), () => api.post(`${base}/confirm`), { errorTarget: errors, onDone: async () => { toast(t('dc.confirmedNow')); await reload(); } }), errors));
  }
  if (!writer) {
    parts.push(h('p', { class: 'alert alert-info' }, t('dc.readOnly')));
  }
  parts.push(historySection(detail.history));
  clear(page, ...parts);
}

function outcomeText(o) {
  const where = o.schoolName ?? o.schoolCode;
  return [t(`dc.st.${o.outcome}`), `（${o.date}）`, where ? ` ${where}` : '', o.teacher ? ` ${o.teacher}` : '', o.visitPlan ? ` ${o.visitPlan}` : '', o.note ? `：${o.note}` : ''].join('');
}

function chainSection(chain) {
  const line = (label, links) => h('div', { class: 'chain-line' }, h('h3', {}, label), h('ul', { class: 'chain' }, links.map((l) =>
    h('li', {}, `${l.title}${l.unit ? `（${l.unit}）` : ''}：`, l.name ?? h('span', { class: 'muted' }, t('dc.unnamed'))))));
  return h('section', { class: 'panel', 'aria-labelledby': 'dc-chain', 'data-testid': 'chain' },
    h('h2', { id: 'dc-chain' }, t('dc.chain')),
    h('div', { class: 'chain-lines' }, line(t('dc.chainAdministrative'), chain.administrative), line(t('dc.chainEducation'), chain.education)),
    chain.missing.length ? h('p', { class: 'alert alert-warn' }, t('dc.chainMissing', { list: chain.missing.join('、') })) : null);
}

function notesSection(base, c, notes, writer, reload) {
  const list = notes.length
    ? h('ol', { class: 'notes', 'data-testid': 'notes' }, notes.map((n) => h('li', {}, h('strong', {}, t('dc.weekOf', { week: n.week })), ` ${dateTime(n.at)} ${n.actor}：`, n.note)))
    : h('p', { class: 'muted' }, t('dc.noNotes'));
  if (!writer || !c.open) {
    return h('section', { class: 'panel' }, h('h2', {}, t('dc.notes')), list);
  }
  const note = h('textarea', { rows: 3, maxlength: 500, required: true });
  const started = h('input', { type: 'checkbox', checked: true });
  const errors = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'note-form' },
    field(t('dc.note'), note),
    c.status === 'not_in_school' ? h('div', { class: 'field field-check' }, h('label', {}, started, ' ', t('dc.persuadingStarted'))) : null,
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('dc.addNote')),
    errors);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.post(`${base}/notes`, { note: note.value, persuading: c.status === 'not_in_school' ? started.checked : undefined });
      toast(t('dc.noteSaved'));
      await reload();
    } catch (error) {
      errors.replaceChildren(problem(error));
    }
  });
  return h('section', { class: 'panel' }, h('h2', {}, t('dc.notes')), list, form);
}

function evidenceSection(base, c, evidence, writer, reload) {
  const list = evidence.length
    ? h('ul', {}, evidence.map((e) => h('li', {}, h('button', { type: 'button', class: 'btn btn-link', onclick: () => api.download(`${base}/evidence/${e.sha256}`, e.fileName ?? `${e.sha256}`) }, e.fileName ?? e.sha256), ` ${dateTime(e.uploadedAt)}`)))
    : h('p', { class: 'muted' }, t('dc.noEvidence'));
  const errors = h('div', { 'aria-live': 'polite' });
  return h('section', { class: 'panel' }, h('h2', {}, t('dc.evidence')), list,
    writer && c.open ? fileUpload({
      label: t('dc.uploadFile'),
      hint: t('dc.uploadHint'),
      accept: '.pdf,.png,.jpg,.jpeg,.gif,.webp,.xlsx,application/pdf,image/png,image/jpeg,image/gif,image/webp,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buttonLabel: t('dc.uploadButton'),
      progressLabel: t('dc.progress'),
      chooseFirst: t('dc.chooseFile'),
      path: `${base}/evidence`,
      errorTarget: errors,
      onDone: async () => { toast(t('dc.uploaded')); await reload(); },
    }) : null,
    errors);
}

function outcomeSection(base, evidence, reload) {
  const outcome = h('select', {}, OUTCOMES.map((o) => h('option', { value: o }, t(`dc.st.${o}`))));
  const when = h('input', { type: 'date', required: true });
  const schoolCode = h('input', { type: 'text', inputmode: 'numeric', maxlength: 10 });
  const schoolName = h('input', { type: 'text', maxlength: 100 });
  const teacher = h('input', { type: 'text', maxlength: 100 });
  const visitPlan = h('textarea', { rows: 2, maxlength: 500 });
  const note = h('input', { type: 'text', maxlength: 500 });
  const files = evidence.map((e) => ({ sha256: e.sha256, box: h('input', { type: 'checkbox', value: e.sha256 }), name: e.fileName ?? e.sha256 }));
  const errors = h('div', { 'aria-live': 'polite' });
  const show = {
    code: field(t('dc.schoolCode'), schoolCode),
    name: field(t('dc.schoolName'), schoolName),
    teacher: field(t('dc.teacher'), teacher),
    plan: field(t('dc.visitPlan'), visitPlan),
  };
  const sync = () => {
    show.code.hidden = outcome.value !== 'returned';
    show.name.hidden = !['returned', 'outside_county'].includes(outcome.value);
    show.teacher.hidden = outcome.value !== 'home_schooling';
    show.plan.hidden = outcome.value !== 'home_schooling';
  };
  outcome.addEventListener('change', sync);
  sync();
  const form = h('form', { class: 'outcome-form' },
    field(t('dc.outcomeLabel'), outcome), field(t('dc.date'), when), show.code, show.name, show.teacher, show.plan,
    files.length ? h('fieldset', {}, h('legend', {}, t('dc.useEvidence')), files.map((f) => h('div', { class: 'field field-check' }, h('label', {}, f.box, ' ', f.name)))) : null,
    field(t('dc.outcomeNote'), note),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('dc.save')),
    errors);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { outcome: outcome.value, date: when.value, note: note.value || undefined, evidence: files.filter((f) => f.box.checked).map((f) => f.sha256) };
    if (outcome.value === 'returned') {
      body.schoolCode = schoolCode.value;
    }
    if (['returned', 'outside_county'].includes(outcome.value) && schoolName.value) {
      body.schoolName = schoolName.value;
    }
    if (outcome.value === 'home_schooling') {
      body.teacher = teacher.value;
      body.visitPlan = visitPlan.value;
    }
    try {
      await api.post(`${base}/outcome`, body);
      toast(t('dc.saved'));
      await reload();
    } catch (error) {
      errors.replaceChildren(problem(error));
    }
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'dc-outcome' }, h('h2', { id: 'dc-outcome' }, t('dc.record')), form);
}

function historySection(history) {
  return h('section', { class: 'panel' }, h('h2', {}, t('dc.history')),
    table(t('dc.history'), [
      { label: t('dc.historyWhen'), value: (e) => dateTime(e.at) },
      { label: t('dc.historyWhat'), value: (e) => [t(`dc.ev.${e.kind}`), ' ', statusBadge(e.status)] },
      { label: t('dc.historyWho'), value: (e) => (e.actor === 'system' ? t('dc.system') : e.actor) },
      { label: t('dc.historyNote'), value: (e) => e.note ?? '—' },
    ], history));
}

