// The cycle's "rectification" tab (整改): the summary, a board of items by status (overdue said in words and colour),
// the inspection record form (inspectors and the bureau), and an item's own page (#/cycles/{id}/rectification/{itemId})
// with its history, evidence (download, upload), the owner's submission (控辍保学 outcomes) and the bureau's decision.
// A school officer sees their own school's items only: the API answers only those.

import { t, strings } from '../i18n.js';
import { api, getAll } from '../api.js';
import { h, clear, table, badge, count, dateTime, problem, actionButton, field, facts, toast, fileUpload } from '../ui.js';

strings({
  zh: {
    'rect.title': '整改',
    'rect.summary': '整改概况',
    'rect.items': '事项总数',
    'rect.rate': '整改率（已销号/全部）',
    'rect.noRate': '暂无整改事项',
    'rect.overdue': '已逾期',
    'rect.overdueCount': '逾期事项',
    'rect.board': '整改看板',
    'rect.st.open': '待整改',
    'rect.st.submitted': '已提交待验收',
    'rect.st.returned': '已退回',
    'rect.st.accepted': '已销号',
    'rect.src.notEnrolled': '控辍保学',
    'rect.src.mismatch': '数据比对',
    'rect.src.objection': '公示异议',
    'rect.src.reconciliation': '对账异常',
    'rect.src.paymentFailed': '发放失败',
    'rect.src.inspection': '督导检查',
    'rect.src.noAccount': '账户缺失',
    'rect.src.homeVisit': '结对帮扶',
    'rect.source': '问题来源',
    'rect.owner': '责任单位',
    'rect.ownerSchool': '学校标识码 {code}',
    'rect.due': '整改时限',
    'rect.dueDays': '{date}（{n} 个工作日）',
    'rect.filterSource': '按来源筛选',
    'rect.all': '全部',
    'rect.onlyOverdue': '只看逾期',
    'rect.filter': '筛选',
    'rect.back': '返回整改看板',
    'rect.itemTitle': '整改事项 {id}',
    'rect.status': '状态',
    'rect.description': '问题描述',
    'rect.student': '学生',
    'rect.township': '乡镇',
    'rect.village': '村',
    'rect.chain': '责任链（七长制）',
    'rect.chainAdministrative': '行政线',
    'rect.chainEducation': '教育线',
    'rect.chainUnnamed': '未登记',
    'rect.chainMissing': '尚未登记：{list}。请在县联系方式中补充。',
    'rect.chainContacts': '维护联系方式',
    'rect.byCase': '该事项随学生的控辍保学案件办理：每周进展、佐证材料和处理结果都在案件中登记，案件结案后本事项自动按案件结果销号。',
    'rect.openCase': '打开控辍保学案件',
    'rect.school': '学校',
    'rect.createdAt': '立项时间',
    'rect.createdBy': '立项人',
    'rect.note': '整改情况',
    'rect.outcome': '控辍保学结果',
    'rect.out.enrolled': '已入学',
    'rect.out.studying_elsewhere': '异地就读',
    'rect.out.exempt': '免予入学',
    'rect.out.corrected': '已更正姓名，确为登记儿童（验收后补发）',
    'rect.corrected': '花名册姓名有误，学生确为建档立卡登记的儿童（验收后按核定标准补发资助）',
    'rect.mismatchOutcome': '比对结果',
    'rect.outcomeSchool': '就读学校标识码',
    'rect.outcomeStage': '就读学段',
    'rect.outcomeGrade': '就读年级',
    'rect.outcomeBoarding': '住校',
    'rect.outcomeReason': '免予入学原因',
    'rect.submittedAt': '提交时间',
    'rect.returnReason': '退回原因',
    'rect.acceptedAt': '销号时间',
    'rect.calendarMissing': '工作日历缺失，时限按自然日估算，请维护工作日历。',
    'rect.history': '办理记录',
    'rect.at': '时间',
    'rect.actor': '办理人',
    'rect.action': '操作',
    'rect.change': '状态变化',
    'rect.act.opened': '立项',
    'rect.act.evidence': '上传佐证',
    'rect.act.submitted': '提交验收',
    'rect.act.accepted': '验收销号',
    'rect.act.returned': '退回整改',
    'rect.act.reminded': '到期提醒',
    'rect.act.escalated': '逾期督办',
    'rect.evidence': '佐证材料',
    'rect.fileName': '文件名',
    'rect.fileType': '类型',
    'rect.fileSize': '大小',
    'rect.uploadedBy': '上传人',
    'rect.uploadedAt': '上传时间',
    'rect.downloadFile': '下载 {name}',
    'rect.upload': '上传佐证材料',
    'rect.uploadFile': '佐证文件（PDF、图片或 XLSX，不超过 20 MiB）',
    'rect.uploadHint': '文件类型按内容识别，扩展名须与内容一致；文件名中的身份证号会被脱敏。',
    'rect.uploadButton': '上传',
    'rect.uploaded': '已上传 {name}',
    'rect.chooseFile': '请先选择文件。',
    'rect.progress': '上传进度',
    'rect.submit': '提交验收',
    'rect.submitHint': '写明整改情况，须至少有一份佐证材料（控辍保学“已入学”除外）。',
    'rect.submitButton': '提交验收',
    'rect.submitted': '已提交验收',
    'rect.decide': '验收',
    'rect.acceptNote': '验收意见（可选）',
    'rect.acceptButton': '验收销号',
    'rect.accepted': '已销号',
    'rect.returnReasonField': '退回原因（必填）',
    'rect.returnButton': '退回整改',
    'rect.returned': '已退回',
    'rect.readOnly': '您可以查看此事项，办理由责任单位和教育局进行。',
    'rect.inspection': '录入督导检查',
    'rect.inspectionHint': '每条发现生成一项整改事项；同一检查编号重复提交不会重复立项。',
    'rect.inspectionId': '检查编号',
    'rect.team': '督导组',
    'rect.inspectedAt': '检查时间（北京时间）',
    'rect.finding': '发现 {n}',
    'rect.findingTitle': '问题',
    'rect.findingDescription': '说明（不得包含身份证号）',
    'rect.ownerKind': '责任单位类型',
    'rect.ownerKind.school': '学校',
    'rect.ownerKind.section': '教育局股室',
    'rect.ownerKey': '学校标识码或股室名称',
    'rect.deadlineDays': '整改时限（工作日，默认 15）',
    'rect.addFinding': '再加一条发现',
    'rect.removeFinding': '删除发现 {n}',
    'rect.record': '录入检查',
    'rect.recorded': '已录入检查 {id}，立项 {n} 项',
  },
  en: {
    'rect.title': 'Rectification',
    'rect.summary': 'Summary',
    'rect.items': 'Items',
    'rect.rate': 'Rectification rate (accepted / all)',
    'rect.noRate': 'No items yet',
    'rect.overdue': 'Overdue',
    'rect.overdueCount': 'Overdue items',
    'rect.board': 'Board',
    'rect.st.open': 'Open',
    'rect.st.submitted': 'Submitted',
    'rect.st.returned': 'Returned',
    'rect.st.accepted': 'Accepted',
    'rect.src.notEnrolled': 'Dropout prevention',
    'rect.src.mismatch': 'Data mismatch',
    'rect.src.objection': 'Notice objection',
    'rect.src.reconciliation': 'Reconciliation exception',
    'rect.src.paymentFailed': 'Payment failed',
    'rect.src.inspection': 'Inspection',
    'rect.src.noAccount': 'No account',
    'rect.src.homeVisit': 'Pairing (home visit)',
    'rect.source': 'Source',
    'rect.owner': 'Owner',
    'rect.ownerSchool': 'School {code}',
    'rect.due': 'Deadline',
    'rect.dueDays': '{date} ({n} working days)',
    'rect.filterSource': 'Filter by source',
    'rect.all': 'All',
    'rect.onlyOverdue': 'Overdue only',
    'rect.filter': 'Filter',
    'rect.back': 'Back to the board',
    'rect.itemTitle': 'Item {id}',
    'rect.status': 'Status',
    'rect.description': 'Description',
    'rect.student': 'Student',
    'rect.township': 'Township',
    'rect.village': 'Village',
    'rect.chain': 'Responsibility chain (七长制)',
    'rect.chainAdministrative': 'Administrative line',
    'rect.chainEducation': 'Education line',
    'rect.chainUnnamed': 'not named',
    'rect.chainMissing': 'Not yet named: {list}. Add them to the county contacts.',
    'rect.chainContacts': 'Edit the contacts',
    'rect.byCase': 'This item follows the child’s 控辍保学 case: weekly notes, evidence and the outcome are recorded on the case, and the item closes with the case’s outcome.',
    'rect.openCase': 'Open the case',
    'rect.school': 'School',
    'rect.createdAt': 'Opened',
    'rect.createdBy': 'Opened by',
    'rect.note': 'What was done',
    'rect.outcome': 'Dropout outcome',
    'rect.out.corrected': 'Name corrected, the registered child (paid by back-pay once accepted)',
    'rect.corrected': 'The roster\'s name was wrong and the student is the registered child (accepting pays their aid by back-pay)',
    'rect.mismatchOutcome': 'Review outcome',
    'rect.out.enrolled': 'Enrolled',
    'rect.out.studying_elsewhere': 'Studying elsewhere',
    'rect.out.exempt': 'Exempt',
    'rect.outcomeSchool': 'School code',
    'rect.outcomeStage': 'Stage',
    'rect.outcomeGrade': 'Grade',
    'rect.outcomeBoarding': 'Boarding',
    'rect.outcomeReason': 'Exemption reason',
    'rect.submittedAt': 'Submitted',
    'rect.returnReason': 'Return reason',
    'rect.acceptedAt': 'Accepted',
    'rect.calendarMissing': 'The working calendar is missing: the deadline is estimated in calendar days. Please maintain the calendar.',
    'rect.history': 'History',
    'rect.at': 'At',
    'rect.actor': 'By',
    'rect.action': 'Action',
    'rect.change': 'Status',
    'rect.act.opened': 'Opened',
    'rect.act.evidence': 'Evidence added',
    'rect.act.submitted': 'Submitted',
    'rect.act.accepted': 'Accepted',
    'rect.act.returned': 'Returned',
    'rect.act.reminded': 'Reminder sent',
    'rect.act.escalated': 'Escalated as overdue',
    'rect.evidence': 'Evidence',
    'rect.fileName': 'File',
    'rect.fileType': 'Type',
    'rect.fileSize': 'Size',
    'rect.uploadedBy': 'Uploaded by',
    'rect.uploadedAt': 'Uploaded',
    'rect.downloadFile': 'Download {name}',
    'rect.upload': 'Upload evidence',
    'rect.uploadFile': 'Evidence file (PDF, image or XLSX, at most 20 MiB)',
    'rect.uploadHint': 'The type is told by the content and the extension must match it; ID numbers in the file name are masked.',
    'rect.uploadButton': 'Upload',
    'rect.uploaded': 'Uploaded {name}',
    'rect.chooseFile': 'Choose a file first.',
    'rect.progress': 'Upload progress',
    'rect.submit': 'Submit for acceptance',
    'rect.submitHint': 'Say what was done; at least one evidence file is needed (except a dropout item closed as enrolled).',
    'rect.submitButton': 'Submit',
    'rect.submitted': 'Submitted',
    'rect.decide': 'Acceptance',
    'rect.acceptNote': 'Note (optional)',
    'rect.acceptButton': 'Accept',
    'rect.accepted': 'Accepted',
    'rect.returnReasonField': 'Reason for returning (required)',
    'rect.returnButton': 'Return',
    'rect.returned': 'Returned',
    'rect.readOnly': 'You can read this item; its owner and the bureau act on it.',
    'rect.inspection': 'Record an inspection',
    'rect.inspectionHint': 'Each finding opens a rectification item; sending the same inspection id again opens nothing new.',
    'rect.inspectionId': 'Inspection id',
    'rect.team': 'Team',
    'rect.inspectedAt': 'Inspected at (China time)',
    'rect.finding': 'Finding {n}',
    'rect.findingTitle': 'Problem',
    'rect.findingDescription': 'Description (no ID numbers)',
    'rect.ownerKind': 'Owner kind',
    'rect.ownerKind.school': 'School',
    'rect.ownerKind.section': 'Bureau section',
    'rect.ownerKey': 'School code or section name',
    'rect.deadlineDays': 'Deadline (working days, default 15)',
    'rect.addFinding': 'Add a finding',
    'rect.removeFinding': 'Remove finding {n}',
    'rect.record': 'Record inspection',
    'rect.recorded': 'Inspection {id} recorded, {n} item(s) opened',
  },
});

const STATUSES = ['open', 'submitted', 'returned', 'accepted'];
const SOURCES = ['notEnrolled', 'mismatch', 'objection', 'reconciliation', 'paymentFailed', 'inspection'];
const TONES = { open: 'warn', submitted: 'info', returned: 'bad', accepted: 'ok' };

export const statusBadge = (status) => badge(t(`rect.st.${status}`), TONES[status] ?? 'muted');

/** The owner as the API names it (a school by its name); the code only from an answer that does not name it. */
function ownerText(item) {
  if (item.ownerName) return item.ownerName;
  const [kind, key] = (item.owner ?? '').split(/:(.*)/s);
  return kind === 'school' ? t('rect.ownerSchool', { code: key }) : key || item.owner;
}

function deadline(item) {
  return h('span', { class: item.overdue ? 'deadline-overdue' : 'deadline-ok' },
    t('rect.dueDays', { date: dateTime(item.dueAt), n: item.deadlineWorkingDays }),
    item.overdue ? [' ', badge(t('rect.overdue'), 'bad')] : null);
}

const canAct = (me, item) => me.role === 'bureau_admin' || (me.role === 'school_officer' && item.owner === `school:${me.schoolCode}`);

export default async function render(container, ctx) {
  if (ctx.params.sub) {
    await renderItem(container, ctx);
    return;
  }
  const { cycle, me, query } = ctx;
  const base = `/api/cycles/${encodeURIComponent(cycle.id)}/rectification`;
  container.append(h('h2', {}, t('rect.title')));

  const source = query.get('source');
  const overdue = query.get('overdue') === 'true';
  const filter = new URLSearchParams();
  if (SOURCES.includes(source)) {
    filter.set('source', source);
  }
  if (overdue) {
    filter.set('overdue', 'true');
  }
  let summary;
  let items;
  try {
    [summary, items] = await Promise.all([api.get(`${base}/summary`), getAll(`${base}?pageSize=1000${filter.size ? `&${filter}` : ''}`, 5000)]);
  } catch (error) {
    container.append(problem(error));
    return;
  }

  container.append(summarySection(summary), filterForm(ctx, source, overdue), board(items, ctx));
  if (me.role === 'bureau_admin' || me.role === 'inspector') {
    const { now: appNow } = await api.get('/api/console/config');
    container.append(inspectionForm(ctx, appNow));
  }
}

function summarySection(summary) {
  const rate = summary.rate === null || summary.rate === undefined ? t('rect.noRate') : `${(Number(summary.rate) * 100).toFixed(1)}%`;
  return h('section', { class: 'panel', 'aria-labelledby': 'rect-summary' },
    h('h3', { id: 'rect-summary' }, t('rect.summary')),
    h('div', { class: 'rect-figures' },
      figureBox(t('rect.rate'), rate, 'rate'),
      figureBox(t('rect.items'), count(summary.items)),
      STATUSES.map((s) => figureBox(t(`rect.st.${s}`), count(summary[s]))),
      figureBox(t('rect.overdueCount'), summary.overdue > 0 ? [count(summary.overdue), ' ', badge(t('rect.overdue'), 'bad')] : count(0), 'overdue')));
}

function figureBox(label, value, testId) {
  return h('div', { class: 'rect-figure', 'data-testid': testId ? `rect-${testId}` : null }, h('span', { class: 'rect-figure-label' }, label), h('span', { class: 'rect-figure-value' }, value));
}

function filterForm(ctx, source, overdue) {
  const select = h('select', {}, h('option', { value: '' }, t('rect.all')), SOURCES.map((s) => h('option', { value: s, selected: s === source }, t(`rect.src.${s}`))));
  const check = h('input', { type: 'checkbox', checked: overdue });
  const form = h('form', { class: 'toolbar', role: 'search', 'aria-label': t('rect.filter') },
    field(t('rect.filterSource'), select),
    h('div', { class: 'field field-check' }, h('label', {}, check, ' ', t('rect.onlyOverdue'))),
    h('button', { type: 'submit', class: 'btn btn-secondary' }, t('rect.filter')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    if (select.value) {
      q.set('source', select.value);
    }
    if (check.checked) {
      q.set('overdue', 'true');
    }
    ctx.navigate(`${ctx.path('rectification')}${q.size ? `?${q}` : ''}`);
  });
  return form;
}

function board(items, ctx) {
  return h('section', { class: 'panel', 'aria-labelledby': 'rect-board' },
    h('h3', { id: 'rect-board' }, t('rect.board')),
    h('div', { class: 'board' }, STATUSES.map((status) => {
      const column = items.filter((i) => i.status === status);
      return h('section', { class: `board-column board-${status}`, 'aria-label': t(`rect.st.${status}`), 'data-testid': `column-${status}` },
        h('h4', {}, statusBadge(status), ' ', h('span', { class: 'muted' }, count(column.length))),
        column.length
          ? h('ul', { class: 'cards' }, column.map((item) => card(item, ctx)))
          : h('p', { class: 'empty' }, t('common.none')));
    })));
}

function card(item, ctx) {
  return h('li', { class: `card${item.overdue ? ' card-overdue' : ''}` },
    h('a', { href: `#${ctx.path('rectification', item.id)}`, class: 'card-title' }, item.title),
    h('dl', { class: 'card-facts' },
      h('dt', {}, t('rect.source')), h('dd', {}, t(`rect.src.${item.source}`)),
      h('dt', {}, t('rect.owner')), h('dd', {}, ownerText(item)),
      h('dt', {}, t('rect.due')), h('dd', {}, deadline(item))));
}

function inspectionForm(ctx, appNow) {
  const base = `/api/cycles/${encodeURIComponent(ctx.cycle.id)}`;
  // The app's clock, not the browser's: the API refuses an inspection "in the future" by its own clock.
  const now = new Date(Date.parse(appNow ?? new Date().toISOString()) + 8 * 3600 * 1000).toISOString().slice(0, 16);
  const inspectionId = h('input', { type: 'text', required: true, maxlength: 100, value: `INS-${now.slice(0, 10).replaceAll('-', '')}-${crypto.randomUUID().slice(0, 6)}` });
  const team = h('input', { type: 'text', required: true, maxlength: 100 });
  const inspectedAt = h('input', { type: 'datetime-local', required: true, value: now });
  const findings = h('div', { class: 'findings' });
  const errors = h('div', { 'aria-live': 'polite' });
  const rows = [];

  const renumber = () => rows.forEach((row, index) => {
    row.legend.textContent = t('rect.finding', { n: index + 1 });
    row.remove.textContent = t('rect.removeFinding', { n: index + 1 });
    row.remove.hidden = rows.length === 1;
  });
  const addFinding = () => {
    const title = h('input', { type: 'text', required: true, maxlength: 200 });
    const description = h('textarea', { rows: 2, maxlength: 2000 });
    const kind = h('select', {}, h('option', { value: 'school' }, t('rect.ownerKind.school')), h('option', { value: 'section' }, t('rect.ownerKind.section')));
    const key = h('input', { type: 'text', required: true, maxlength: 50 });
    const days = h('input', { type: 'number', min: 1, max: 250, inputmode: 'numeric' });
    const legend = h('legend', {});
    const remove = h('button', { type: 'button', class: 'btn btn-ghost btn-small' });
    const set = h('fieldset', {}, legend,
      h('div', { class: 'form-grid' }, field(t('rect.findingTitle'), title), field(t('rect.ownerKind'), kind), field(t('rect.ownerKey'), key), field(t('rect.deadlineDays'), days)),
      field(t('rect.findingDescription'), description), remove);
    const row = { set, legend, remove, value: () => ({ title: title.value, description: description.value || undefined, owner: `${kind.value}:${key.value.trim()}`, schoolCode: kind.value === 'school' ? key.value.trim() : undefined, deadlineWorkingDays: days.value ? Number(days.value) : undefined }) };
    remove.addEventListener('click', () => {
      rows.splice(rows.indexOf(row), 1);
      set.remove();
      renumber();
    });
    rows.push(row);
    findings.append(set);
    renumber();
  };
  addFinding();

  const record = actionButton(t('rect.record'), () => api.post(`${base}/inspections`, {
    inspectionId: inspectionId.value,
    team: team.value,
    inspectedAt: inspectedAt.value ? `${inspectedAt.value.length === 16 ? `${inspectedAt.value}:00` : inspectedAt.value}+08:00` : null,
    findings: rows.map((r) => r.value()),
  }), {
    errorTarget: errors,
    onDone: (view) => {
      toast(t('rect.recorded', { id: view.inspectionId, n: view.items.length }));
      ctx.refresh();
    },
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'rect-inspection' },
    h('h3', { id: 'rect-inspection' }, t('rect.inspection')),
    h('p', { class: 'hint' }, t('rect.inspectionHint')),
    h('div', { class: 'form-grid' }, field(t('rect.inspectionId'), inspectionId), field(t('rect.team'), team), field(t('rect.inspectedAt'), inspectedAt)),
    findings,
    h('div', { class: 'toolbar' }, h('button', { type: 'button', class: 'btn btn-secondary', onclick: addFinding }, t('rect.addFinding')), record),
    errors);
}

async function renderItem(container, ctx) {
  const { cycle, me, params } = ctx;
  const base = `/api/cycles/${encodeURIComponent(cycle.id)}/rectification/${encodeURIComponent(params.sub)}`;
  const back = h('p', { class: 'crumbs' }, h('a', { href: `#${ctx.path('rectification')}` }, t('rect.back')));
  let detail;
  try {
    detail = await api.get(base);
  } catch (error) {
    clear(container, back, h('h2', {}, t('rect.itemTitle', { id: params.sub })), problem(error));
    return;
  }
  const { item, history, evidence } = detail;
  const reload = () => renderItem(container, ctx);
  const dropout = item.source === 'notEnrolled';

  const parts = [
    back,
    h('h2', {}, `${item.title}`),
    h('p', { 'data-testid': 'item-status' }, statusBadge(item.status), item.overdue ? [' ', badge(t('rect.overdue'), 'bad')] : null, ' ', h('span', { class: 'muted' }, item.id)),
    item.calendarMissing ? h('p', { class: 'alert alert-warn' }, t('rect.calendarMissing')) : null,
    h('section', { class: 'panel', 'aria-labelledby': 'rect-facts' },
      h('h3', { id: 'rect-facts' }, t('common.details')),
      facts([
        [t('rect.source'), t(`rect.src.${item.source}`)],
        item.description ? [t('rect.description'), item.description] : null,
        [t('rect.owner'), ownerText(item)],
        item.schoolCode ? [t('rect.school'), item.schoolName ?? item.schoolCode] : null,
        item.township ? [t('rect.township'), item.township] : null,
        item.village ? [t('rect.village'), item.village] : null,
        item.studentName ? [t('rect.student'), item.studentName] : null,
        [t('rect.due'), deadline(item)],
        [t('rect.createdAt'), dateTime(item.createdAt)],
        [t('rect.createdBy'), item.createdBy],
        item.note ? [t('rect.note'), item.note] : null,
        item.outcome ? [t(item.source === 'mismatch' ? 'rect.mismatchOutcome' : 'rect.outcome'), [t(`rect.out.${item.outcome}`), item.outcomeSchoolCode ? `（${item.outcomeSchoolName ?? item.outcomeSchoolCode}）` : '', item.outcomeReason ? `（${item.outcomeReason}）` : '']] : null,
        item.submittedAt ? [t('rect.submittedAt'), dateTime(item.submittedAt)] : null,
        item.returnReason ? [t('rect.returnReason'), item.returnReason] : null,
        item.acceptedAt ? [t('rect.acceptedAt'), dateTime(item.acceptedAt)] : null,
      ])),
    detail.chain ? chainSection(detail.chain, cycle.countyCode) : null,
    evidenceSection(base, evidence),
  ];

  const awaitsOwner = item.status === 'open' || item.status === 'returned';
  if (item.caseId) {
    parts.push(h('section', { class: 'panel', 'data-testid': 'by-case' }, h('p', {}, t('rect.byCase')),
      h('p', {}, h('a', { href: `#/counties/${encodeURIComponent(cycle.countyCode)}/dropout-cases/${encodeURIComponent(item.caseId)}` }, t('rect.openCase')))));
  } else if (canAct(me, item) && awaitsOwner) {
    parts.push(uploadSection(base, reload), submitSection(base, dropout, reload, item.source === 'mismatch'));
  }
  if (me.role === 'bureau_admin' && item.status === 'submitted') {
    parts.push(decideSection(base, reload));
  }
  if (!canAct(me, item)) {
    parts.push(h('p', { class: 'alert alert-info' }, t('rect.readOnly')));
  }
  parts.push(historySection(history));
  clear(container, ...parts);
}

/** Who answers for a child out of school: both lines of the 七长制, each link's title, unit and name, then who is missing. */
function chainSection(chain, countyCode) {
  // Not the item's facts list (dl.facts): the chain is a section of its own, one list per line.
  const line = (label, links) => h('div', { class: 'chain-line' }, h('h4', {}, label), h('ul', { class: 'chain' }, links.map((l) =>
    h('li', {}, `${l.title}${l.unit ? `（${l.unit}）` : ''}：`, l.name ?? h('span', { class: 'muted' }, t('rect.chainUnnamed'))))));
  return h('section', { class: 'panel', 'aria-labelledby': 'rect-chain', 'data-testid': 'chain' },
    h('h3', { id: 'rect-chain' }, t('rect.chain')),
    h('div', { class: 'chain-lines' }, line(t('rect.chainAdministrative'), chain.administrative), line(t('rect.chainEducation'), chain.education)),
    chain.missing.length
      ? h('p', { class: 'alert alert-warn' }, t('rect.chainMissing', { list: chain.missing.join('、') }), ' ',
        h('a', { href: `#/counties/${encodeURIComponent(countyCode)}/contacts` }, t('rect.chainContacts')))
      : null);
}

function evidenceSection(base, evidence) {
  const errors = h('div');
  return h('section', { class: 'panel', 'aria-labelledby': 'rect-evidence' },
    h('h3', { id: 'rect-evidence' }, t('rect.evidence')),
    table(t('rect.evidence'), [
      { label: t('rect.fileName'), value: (e) => e.fileName ?? e.sha256.slice(0, 12) },
      { label: t('rect.fileType'), value: (e) => e.contentType },
      { label: t('rect.fileSize'), class: 'num', value: (e) => fileSize(e.size) },
      { label: t('rect.uploadedBy'), value: (e) => e.uploadedBy },
      { label: t('rect.uploadedAt'), value: (e) => dateTime(e.uploadedAt) },
      {
        label: t('common.actions'),
        value: (e) => actionButton(t('common.download'), () => api.download(`${base}/evidence/${e.sha256}`, e.fileName ?? e.sha256), {
          tone: 'secondary', errorTarget: errors, attrs: { 'aria-label': t('rect.downloadFile', { name: e.fileName ?? e.sha256.slice(0, 12) }) },
        }),
      },
    ], evidence),
    errors);
}

function fileSize(bytes) {
  if (bytes >= 1024 * 1024) {
    return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  }
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
}

function uploadSection(base, reload) {
  const errors = h('div', { 'aria-live': 'polite' });
  return h('section', { class: 'panel', 'aria-labelledby': 'rect-upload' },
    h('h3', { id: 'rect-upload' }, t('rect.upload')),
    fileUpload({
      label: t('rect.uploadFile'),
      hint: t('rect.uploadHint'),
      accept: '.pdf,.png,.jpg,.jpeg,.gif,.webp,.xlsx,application/pdf,image/png,image/jpeg,image/gif,image/webp,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buttonLabel: t('rect.uploadButton'),
      progressLabel: t('rect.progress'),
      chooseFirst: t('rect.chooseFile'),
      path: `${base}/evidence`,
      errorTarget: errors,
      onDone: async (answer) => {
        toast(t('rect.uploaded', { name: answer.evidence?.fileName ?? '' }));
        await reload();
      },
    }),
    errors);
}

function submitSection(base, dropout, reload, mismatch = false) {
  const note = h('textarea', { rows: 3, maxlength: 1000, required: true });
  const errors = h('div', { 'aria-live': 'polite' });
  const controls = [field(t('rect.note'), note, t('rect.submitHint'))];
  let outcome;
  let school;
  let reason;
  let stage;
  let grade;
  let boarding;
  if (dropout) {
    outcome = h('select', {}, ['enrolled', 'studying_elsewhere', 'exempt'].map((o) => h('option', { value: o }, t(`rect.out.${o}`))));
    school = h('input', { type: 'text', inputmode: 'numeric', maxlength: 10, pattern: '[0-9]{10}' });
    reason = h('textarea', { rows: 2, maxlength: 1000 });
    // The class the child joined prices the aid they are owed from now on (paid in the next 补发 batch).
    stage = h('select', {}, ['学前', '小学', '初中', '普通高中', '中职', '高校'].map((s) => h('option', { value: s, selected: s === '小学' }, s)));
    grade = h('input', { type: 'number', min: 1, max: 6, value: 1 });
    boarding = h('input', { type: 'checkbox' });
    const schoolField = field(t('rect.outcomeSchool'), school);
    const classFields = [field(t('rect.outcomeStage'), stage), field(t('rect.outcomeGrade'), grade), field(t('rect.outcomeBoarding'), boarding)];
    const reasonField = field(t('rect.outcomeReason'), reason);
    const sync = () => {
      for (const f of [schoolField, ...classFields]) f.hidden = outcome.value !== 'enrolled';
      reasonField.hidden = outcome.value !== 'exempt';
    };
    outcome.addEventListener('change', sync);
    sync();
    controls.unshift(field(t('rect.outcome'), outcome), schoolField, ...classFields, reasonField);
  }
  // A name-mismatch item closes without an outcome (records put right, nobody owed more) or as `corrected`: the
  // student is the registered child, so accepting the item pays their verified aid in the next 补发 batch.
  let corrected;
  if (mismatch) {
    corrected = h('input', { type: 'checkbox', 'data-testid': 'mismatch-corrected' });
    controls.unshift(field(t('rect.mismatchOutcome'), corrected, t('rect.corrected')));
  }
  const button = actionButton(t('rect.submitButton'), () => api.post(`${base}/submit`, {
    note: note.value,
    outcome: corrected?.checked ? 'corrected' : outcome?.value,
    schoolCode: outcome?.value === 'enrolled' ? school.value.trim() : undefined,
    stage: outcome?.value === 'enrolled' ? stage.value : undefined,
    grade: outcome?.value === 'enrolled' ? Number(grade.value) : undefined,
    boarding: outcome?.value === 'enrolled' ? boarding.checked : undefined,
    reason: outcome?.value === 'exempt' ? reason.value : undefined,
  }), {
    errorTarget: errors,
    onDone: async () => {
      toast(t('rect.submitted'));
      await reload();
    },
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'rect-submit' },
    h('h3', { id: 'rect-submit' }, t('rect.submit')),
    controls, button, errors);
}

function decideSection(base, reload) {
  const note = h('textarea', { rows: 2, maxlength: 1000 });
  const reason = h('textarea', { rows: 2, maxlength: 1000 });
  const errors = h('div', { 'aria-live': 'polite' });
  const accept = actionButton(t('rect.acceptButton'), () => api.post(`${base}/accept`, note.value.trim() ? { note: note.value } : {}), {
    errorTarget: errors,
    onDone: async () => {
      toast(t('rect.accepted'));
      await reload();
    },
  });
  const giveBack = actionButton(t('rect.returnButton'), () => api.post(`${base}/return`, { reason: reason.value }), {
    tone: 'danger',
    errorTarget: errors,
    onDone: async () => {
      toast(t('rect.returned'));
      await reload();
    },
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'rect-decide' },
    h('h3', { id: 'rect-decide' }, t('rect.decide')),
    h('div', { class: 'form-grid' },
      h('div', {}, field(t('rect.acceptNote'), note), accept),
      h('div', {}, field(t('rect.returnReasonField'), reason), giveBack)),
    errors);
}

function historySection(history) {
  return h('section', { class: 'panel', 'aria-labelledby': 'rect-history' },
    h('h3', { id: 'rect-history' }, t('rect.history')),
    table(t('rect.history'), [
      { label: t('rect.at'), value: (c) => dateTime(c.at) },
      { label: t('rect.actor'), value: (c) => c.actor },
      { label: t('rect.action'), value: (c) => { const key = `rect.act.${c.action}`; const text = t(key); return text === key ? c.action : text; } },
      { label: t('rect.change'), value: (c) => [c.from ? [t(`rect.st.${c.from}`), ' → '] : null, t(`rect.st.${c.to}`)] },
      { label: t('rect.note'), value: (c) => c.note ?? '' },
    ], history));
}
