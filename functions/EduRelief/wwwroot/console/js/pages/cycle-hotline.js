// The cycle's "hotline" tab: the cycle's cases with their deadlines (#/cycles/{id}/hotline), and one case with the
// actions its lifecycle allows this user now (#/cycles/{id}/hotline/{caseNumber}). The API decides who sees what: a
// school officer is answered only the cases assigned to their school, and 404 for any other.

import { t, strings } from '../i18n.js';
import { api, getAll, ApiError } from '../api.js';
import { h, clear, table, badge, dateTime, field, facts, problem, subsection, toast } from '../ui.js';

strings({
  zh: {
    'hotline.title': '热线工单',
    'hotline.caption': '本周期的热线工单',
    'hotline.ownSchool': '仅显示分派给本校（{school}）的工单。',
    'hotline.readOnly': '督查人员只能查看工单，不能办理。',
    'hotline.contacts': '县教育局联系方式',
    'hotline.filters': '筛选',
    'hotline.status': '状态',
    'hotline.category': '类别',
    'hotline.overdueOnly': '只看已超期',
    'hotline.all': '全部',
    'hotline.apply': '筛选',
    'hotline.empty': '没有符合条件的工单。',
    'hotline.number': '工单号',
    'hotline.received': '受理时间',
    'hotline.assignee': '承办单位',
    'hotline.deadline': '办理时限',
    'hotline.school': '涉及学校',
    'hotline.unassigned': '未分派',
    'hotline.autoRefresh': '每10秒自动刷新，新工单会在此提示。',
    'hotline.arrived': '新到工单 {count} 件：{numbers}',
    'hotline.pollFailed': '自动刷新失败，稍后重试。',
    'hotline.newRow': '新',
    'cat.inquiry': '咨询',
    'cat.complaint': '投诉',
    'cat.help': '求助',
    'cat.tipoff': '举报',
    'cat.objection': '公示异议',
    'status.new': '待分派',
    'status.assigned': '已分派',
    'status.in_progress': '办理中',
    'status.replied': '已答复',
    'status.closed': '已办结',
    'status.reopened': '已重办',
    'due.on_track': '按期',
    'due.due_soon': '即将到期',
    'due.overdue': '已超期',
    'due.left': '剩余{n}个工作日',
    'due.today': '今天到期',
    'due.tomorrow': '明天到期',
    'due.overdueDays': '已超期{n}天',
    'due.none': '无时限',
    'due.stopped': '已答复，不再计时',
    'case.back': '返回工单列表',
    'case.title': '工单 {number}',
    'case.facts': '工单信息',
    'case.caller': '来电人',
    'case.phone': '联系电话（已脱敏）',
    'case.content': '诉求内容',
    'case.registered': '登记时间',
    'case.subject': '涉及对象',
    'case.subjectText': '学校 {school} · 学生 {student}',
    'case.extension': '延期',
    'case.extensionText': '{days}个工作日：{reason}（{status}）',
    'ext.requested': '待审批',
    'ext.approved': '已批准',
    'ext.refused': '未批准',
    'case.objection': '异议处理',
    'case.objectionText': '{decision}：{reason}',
    'obj.upheld': '异议成立',
    'obj.dismissed': '异议不成立',
    'case.reply': '答复内容',
    'case.repliedAt': '答复时间',
    'case.satisfaction': '来电人评价',
    'sat.satisfied': '满意',
    'sat.basically': '基本满意',
    'sat.unsatisfied': '不满意',
    'case.reopened': '已重办过一次',
    'case.closedAt': '办结时间',
    'case.escalated': '已超期上报：{at}',
    'case.hold': '暂停发放',
    'hold.open': '异议待决：该学生的资助款暂停发放',
    'hold.upheld': '异议成立：不予发放',
    'hold.dismissed': '异议不成立：已解除暂停',
    'hold.released': '已解除暂停',
    'hold.notOnNotice': '被异议的学生不在公示名单上。',
    'case.history': '办理记录',
    'history.at': '时间',
    'history.actor': '办理人',
    'history.event': '事项',
    'history.change': '状态变化',
    'history.note': '说明',
    'ev.registered': '登记',
    'ev.assigned': '分派',
    'ev.progress': '办理进展',
    'ev.extension_requested': '申请延期',
    'ev.extension_approved': '批准延期',
    'ev.extension_refused': '不批准延期',
    'ev.objection_upheld': '异议成立',
    'ev.objection_dismissed': '异议不成立',
    'ev.replied': '答复来电人',
    'ev.satisfaction': '记录评价',
    'case.actions': '办理',
    'case.noActions': '当前没有您可办理的事项。',
    'case.forbidden': '无权访问',
    'case.forbiddenText': '无权访问：此工单不属于您的学校，或不存在。',
    'act.assign': '分派工单',
    'act.assigneeKind': '承办类型',
    'act.kindSchool': '学校',
    'act.kindSection': '教育局股室',
    'act.assigneeKey': '学校标识码或股室名称',
    'act.assigneeHint': '学校填写10位学校标识码，股室填写名称（如 资助股）。',
    'act.note': '说明（可选）',
    'act.progress': '记录办理进展',
    'act.progressNote': '进展说明',
    'act.extension': '申请延期（每件工单一次）',
    'act.reason': '理由',
    'act.workingDays': '延长工作日数',
    'act.extensionDecision': '审批延期申请',
    'act.decision': '决定',
    'act.approve': '批准',
    'act.refuse': '不批准',
    'act.decisionReason': '理由（不批准时必填）',
    'act.objection': '异议处理决定',
    'act.upheld': '异议成立（不予发放）',
    'act.dismissed': '异议不成立（解除暂停）',
    'act.reply': '答复来电人',
    'act.replyText': '答复内容',
    'act.satisfaction': '记录来电人评价',
    'act.level': '评价',
    'act.done': '已保存：{number}',
  },
  en: {
    'hotline.title': 'Hotline cases',
    'hotline.caption': 'Hotline cases of this cycle',
    'hotline.ownSchool': 'Only the cases assigned to your school ({school}) are shown.',
    'hotline.readOnly': 'Inspectors read cases; they do not handle them.',
    'hotline.contacts': 'County bureau contacts',
    'hotline.filters': 'Filters',
    'hotline.status': 'Status',
    'hotline.category': 'Category',
    'hotline.overdueOnly': 'Overdue only',
    'hotline.all': 'All',
    'hotline.apply': 'Filter',
    'hotline.empty': 'No cases match.',
    'hotline.number': 'Case',
    'hotline.received': 'Received',
    'hotline.assignee': 'Assigned to',
    'hotline.deadline': 'Deadline',
    'hotline.school': 'School',
    'hotline.unassigned': 'Not assigned',
    'hotline.autoRefresh': 'Refreshes every 10 seconds; new cases are announced here.',
    'hotline.arrived': '{count} new case(s): {numbers}',
    'hotline.pollFailed': 'Automatic refresh failed; will retry.',
    'hotline.newRow': 'New',
    'cat.inquiry': 'Inquiry',
    'cat.complaint': 'Complaint',
    'cat.help': 'Help request',
    'cat.tipoff': 'Tip-off',
    'cat.objection': 'Notice objection',
    'status.new': 'New',
    'status.assigned': 'Assigned',
    'status.in_progress': 'In progress',
    'status.replied': 'Replied',
    'status.closed': 'Closed',
    'status.reopened': 'Reopened',
    'due.on_track': 'On track',
    'due.due_soon': 'Due soon',
    'due.overdue': 'Overdue',
    'due.left': '{n} working day(s) left',
    'due.today': 'Due today',
    'due.tomorrow': 'Due tomorrow',
    'due.overdueDays': 'Overdue by {n} day(s)',
    'due.none': 'No deadline',
    'due.stopped': 'Replied; no longer running',
    'case.back': 'Back to the cases',
    'case.title': 'Case {number}',
    'case.facts': 'Case',
    'case.caller': 'Caller',
    'case.phone': 'Phone (masked)',
    'case.content': 'Request',
    'case.registered': 'Registered',
    'case.subject': 'About',
    'case.subjectText': 'School {school} · student {student}',
    'case.extension': 'Extension',
    'case.extensionText': '{days} working day(s): {reason} ({status})',
    'ext.requested': 'awaiting decision',
    'ext.approved': 'approved',
    'ext.refused': 'refused',
    'case.objection': 'Objection decision',
    'case.objectionText': '{decision}: {reason}',
    'obj.upheld': 'Upheld',
    'obj.dismissed': 'Dismissed',
    'case.reply': 'Reply',
    'case.repliedAt': 'Replied',
    'case.satisfaction': "Caller's verdict",
    'sat.satisfied': 'Satisfied',
    'sat.basically': 'Basically satisfied',
    'sat.unsatisfied': 'Unsatisfied',
    'case.reopened': 'Reopened once',
    'case.closedAt': 'Closed',
    'case.escalated': 'Escalated as overdue: {at}',
    'case.hold': 'Payment hold',
    'hold.open': "Objection pending: the student's payment is held",
    'hold.upheld': 'Objection upheld: not paid',
    'hold.dismissed': 'Objection dismissed: hold released',
    'hold.released': 'Hold released',
    'hold.notOnNotice': 'The student named is not on the notice.',
    'case.history': 'History',
    'history.at': 'When',
    'history.actor': 'By',
    'history.event': 'What',
    'history.change': 'Status',
    'history.note': 'Note',
    'ev.registered': 'Registered',
    'ev.assigned': 'Assigned',
    'ev.progress': 'Progress',
    'ev.extension_requested': 'Extension requested',
    'ev.extension_approved': 'Extension approved',
    'ev.extension_refused': 'Extension refused',
    'ev.objection_upheld': 'Objection upheld',
    'ev.objection_dismissed': 'Objection dismissed',
    'ev.replied': 'Replied to caller',
    'ev.satisfaction': 'Verdict recorded',
    'case.actions': 'Handle',
    'case.noActions': 'Nothing for you to do on this case now.',
    'case.forbidden': 'Not allowed',
    'case.forbiddenText': 'Not allowed: this case is not your school\'s, or does not exist.',
    'act.assign': 'Assign the case',
    'act.assigneeKind': 'Assign to',
    'act.kindSchool': 'School',
    'act.kindSection': 'Bureau section',
    'act.assigneeKey': 'School code or section name',
    'act.assigneeHint': 'A school by its 10-digit code, a section by its name (e.g. 资助股).',
    'act.note': 'Note (optional)',
    'act.progress': 'Record progress',
    'act.progressNote': 'Progress note',
    'act.extension': 'Ask for an extension (once per case)',
    'act.reason': 'Reason',
    'act.workingDays': 'Extra working days',
    'act.extensionDecision': 'Decide the extension request',
    'act.decision': 'Decision',
    'act.approve': 'Approve',
    'act.refuse': 'Refuse',
    'act.decisionReason': 'Reason (required to refuse)',
    'act.objection': 'Decide the objection',
    'act.upheld': 'Upheld (not paid)',
    'act.dismissed': 'Dismissed (release the hold)',
    'act.reply': 'Reply to the caller',
    'act.replyText': 'Reply',
    'act.satisfaction': "Record the caller's verdict",
    'act.level': 'Verdict',
    'act.done': 'Saved: {number}',
  },
});

const STATUSES = ['new', 'assigned', 'in_progress', 'replied', 'closed', 'reopened'];
const OPEN = ['new', 'assigned', 'in_progress', 'reopened'];
const CATEGORIES = ['inquiry', 'complaint', 'help', 'tipoff', 'objection'];
const POLL_MS = 10_000;
const STATUS_TONES = { new: 'warn', assigned: 'info', in_progress: 'info', replied: 'ok', closed: 'muted', reopened: 'bad' };
const DUE_TONES = { on_track: 'ok', due_soon: 'warn', overdue: 'bad' };

export default async function render(container, ctx) {
  if (ctx.params.sub) {
    await renderCase(container, ctx, ctx.params.sub);
  } else {
    await renderList(container, ctx);
  }
}

/** The children worth appending: Element.append would write null as the text "null". */
const present = (...children) => children.filter(Boolean);

const statusBadge = (status) => badge(t(`status.${status}`), STATUS_TONES[status] ?? 'muted');

/** The deadline as a date, a badge and words; colour only repeats what the words say. */
function deadline(c) {
  const countdown = c.countdown;
  if (!c.deadline) {
    return h('span', { class: 'muted' }, t('due.none'));
  }
  let words;
  if (!countdown) {
    words = h('span', { class: 'muted' }, t('due.stopped'));
  } else {
    let text;
    if (countdown.state === 'overdue') {
      text = t('due.overdueDays', { n: countdown.daysOverdue });
    } else if (countdown.calendarDaysLeft === 0) {
      text = t('due.today');
    } else if (countdown.calendarDaysLeft === 1) {
      text = t('due.tomorrow');
    } else {
      text = t('due.left', { n: countdown.workingDaysLeft });
    }
    words = h('span', { class: `deadline-words deadline-${countdown.state === 'on_track' ? 'ok' : countdown.state === 'due_soon' ? 'soon' : 'overdue'}` },
      badge(t(`due.${countdown.state}`), DUE_TONES[countdown.state]), ' ', text);
  }
  return h('span', { class: 'deadline', dataset: { state: countdown?.state ?? 'none' } }, h('time', { datetime: c.deadline }, dateTime(c.deadline)), h('br'), words);
}

/** The assignee as the API names it (a school by its name); the code only from an answer that does not name it. */
function assigneeText(c) {
  if (!c.assignee) {
    return t('hotline.unassigned');
  }
  if (c.assigneeName) {
    return c.assigneeName;
  }
  const [kind, key] = c.assignee.split(':');
  return kind === 'school' ? `${t('act.kindSchool')} ${key}` : key;
}

function contactsLink(cycle) {
  return h('a', { href: `#/counties/${encodeURIComponent(cycle.countyCode)}/contacts`, class: 'hotline-contacts' }, t('hotline.contacts'));
}

function listQuery(cycle, filters) {
  const q = new URLSearchParams({ cycleId: cycle.id, pageSize: '200' });
  for (const [name, value] of Object.entries(filters)) {
    if (value) {
      q.set(name, value);
    }
  }
  return `/api/hotline/cases?${q}`;
}

async function renderList(container, { cycle, me, query, navigate, path }) {
  const filters = {
    status: STATUSES.includes(query.get('status')) ? query.get('status') : '',
    category: CATEGORIES.includes(query.get('category')) ? query.get('category') : '',
    overdue: query.get('overdue') === 'true' ? 'true' : '',
  };
  const url = listQuery(cycle, filters);
  let cases = await getAll(url);
  const known = new Set(cases.map((c) => c.caseNumber));
  const fresh = new Set();

  const status = h('select', { name: 'status' }, h('option', { value: '' }, t('hotline.all')), STATUSES.map((s) => h('option', { value: s, selected: s === filters.status }, t(`status.${s}`))));
  const category = h('select', { name: 'category' }, h('option', { value: '' }, t('hotline.all')), CATEGORIES.map((c) => h('option', { value: c, selected: c === filters.category }, t(`cat.${c}`))));
  const overdue = h('input', { type: 'checkbox', name: 'overdue', checked: filters.overdue === 'true' });
  const form = h('form', { class: 'toolbar hotline-filters', 'aria-label': t('hotline.filters') },
    field(t('hotline.status'), status),
    field(t('hotline.category'), category),
    h('div', { class: 'field field-check' }, h('label', {}, overdue, ' ', t('hotline.overdueOnly'))),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('hotline.apply'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    if (status.value) q.set('status', status.value);
    if (category.value) q.set('category', category.value);
    if (overdue.checked) q.set('overdue', 'true');
    const suffix = q.toString();
    navigate(`${path('hotline')}${suffix ? `?${suffix}` : ''}`);
  });

  const live = h('p', { class: 'hotline-live', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const holder = h('div', {});
  const draw = () => clear(holder, table(t('hotline.caption'), [
    { label: t('hotline.number'), value: (c) => [h('a', { href: `#${path('hotline', c.caseNumber)}` }, c.caseNumber), fresh.has(c.caseNumber) ? [' ', badge(t('hotline.newRow'), 'info')] : null] },
    { label: t('hotline.category'), value: (c) => t(`cat.${c.category}`) },
    { label: t('hotline.status'), value: (c) => statusBadge(c.status) },
    { label: t('hotline.received'), value: (c) => dateTime(c.receivedAt) },
    { label: t('hotline.school'), value: (c) => c.subject?.schoolName ?? c.subject?.schoolCode ?? '—' },
    { label: t('hotline.assignee'), value: (c) => assigneeText(c) },
    { label: t('hotline.deadline'), value: deadline },
  ], cases, { empty: t('hotline.empty'), rowAttrs: (c) => ({ class: c.countdown?.state === 'overdue' ? 'row-bad' : null, dataset: { case: c.caseNumber } }) }));
  draw();

  container.append(...present(
    h('div', { class: 'hotline-head' }, h('h2', {}, t('hotline.title')), contactsLink(cycle)),
    me.role === 'school_officer' ? h('p', { class: 'alert alert-info' }, t('hotline.ownSchool', { school: me.schoolName ?? me.schoolCode })) : null,
    me.role === 'inspector' ? h('p', { class: 'alert alert-info' }, t('hotline.readOnly')) : null,
    form,
    h('p', { class: 'hint' }, t('hotline.autoRefresh')),
    live,
    holder));

  // New cases appear without a reload: poll while this list is on screen, announce arrivals in the live region.
  // The list is put on screen after this function returns; once it has been and is gone (another page), stop.
  let shown = false;
  let ticks = 0;
  const timer = setInterval(async () => {
    ticks += 1;
    shown ||= container.isConnected;
    if (!container.isConnected && (shown || ticks > 3)) {
      clearInterval(timer);
      return;
    }
    if (document.hidden) {
      return;
    }
    try {
      const latest = await getAll(url);
      if (!container.isConnected) {
        clearInterval(timer);
        return;
      }
      const arrived = latest.filter((c) => !known.has(c.caseNumber));
      arrived.forEach((c) => { known.add(c.caseNumber); fresh.add(c.caseNumber); });
      // Redraw only on a change, and give focus back to the same link: a keyboard or screen-reader user inside the
      // table must not be thrown out every ten seconds.
      if (JSON.stringify(latest) !== JSON.stringify(cases)) {
        const focused = holder.contains(document.activeElement) ? document.activeElement.textContent : null;
        cases = latest;
        draw();
        if (focused) {
          [...holder.querySelectorAll('a')].find((a) => a.textContent === focused)?.focus();
        }
      }
      if (arrived.length) {
        live.textContent = t('hotline.arrived', { count: arrived.length, numbers: arrived.map((c) => c.caseNumber).join('、') });
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        clearInterval(timer);
        return;
      }
      live.textContent = t('hotline.pollFailed');
    }
  }, POLL_MS);
}

function forbidden(container, back) {
  container.append(
    h('h2', {}, t('case.forbidden')),
    h('div', { class: 'alert alert-bad', role: 'alert', 'data-testid': 'forbidden' }, h('p', {}, t('case.forbiddenText'))),
    h('p', {}, back));
}

/**
 * Renders the case into container; after an action it renders afresh into host (the page's own container: a case
 * re-rendered into a detached div must still re-render the page, not that div, on the next action).
 */
async function renderCase(container, ctx, number, host = container) {
  const { me, path } = ctx;
  const back = h('a', { href: `#${path('hotline')}` }, t('case.back'));
  let c;
  try {
    c = await api.get(`/api/hotline/cases/${encodeURIComponent(number)}`);
  } catch (error) {
    // A school officer is answered 404 for any case not assigned to their school: say so plainly, show nothing of it.
    if (error instanceof ApiError && (error.status === 403 || (error.status === 404 && me.role === 'school_officer'))) {
      forbidden(container, back);
      return;
    }
    container.append(h('h2', {}, t('case.title', { number })), problem(error), h('p', {}, back));
    return;
  }

  const rerender = async () => {
    const fresh = h('div', {});
    await renderCase(fresh, ctx, number, host);
    host.replaceChildren(...fresh.childNodes);
  };

  container.append(...present(
    h('p', { class: 'crumbs' }, back),
    h('h2', {}, t('case.title', { number: c.caseNumber }), ' ', statusBadge(c.status)),
    subsection(t('case.facts'), caseFacts(c)),
    c.hold ? holdPanel(c.hold) : null,
    actionsPanel(c, me, rerender),
    subsection(t('case.history'), historyTable(c.history ?? []))));
}

function caseFacts(c) {
  const extension = c.extension
    ? t('case.extensionText', { days: c.extension.workingDays, reason: c.extension.reason, status: t(`ext.${c.extension.status}`) })
    : null;
  const objection = c.objection ? t('case.objectionText', { decision: t(`obj.${c.objection.decision}`), reason: c.objection.reason ?? '' }) : null;
  return facts([
    [t('hotline.category'), t(`cat.${c.category}`)],
    [t('hotline.status'), statusBadge(c.status)],
    [t('hotline.received'), dateTime(c.receivedAt)],
    [t('case.registered'), dateTime(c.registeredAt)],
    [t('hotline.deadline'), deadline(c)],
    [t('case.caller'), c.callerName],
    [t('case.phone'), c.callerPhone],
    [t('case.content'), h('span', { class: 'hotline-content' }, c.content)],
    c.subject ? [t('case.subject'), t('case.subjectText', { school: c.subject.schoolName ?? c.subject.schoolCode ?? '—', student: c.subject.studentName ?? '—' })] : null,
    [t('hotline.assignee'), assigneeText(c)],
    extension ? [t('case.extension'), extension] : null,
    objection ? [t('case.objection'), objection] : null,
    c.reply ? [t('case.reply'), h('span', { class: 'hotline-content' }, c.reply)] : null,
    c.repliedAt ? [t('case.repliedAt'), dateTime(c.repliedAt)] : null,
    c.satisfaction ? [t('case.satisfaction'), t(`sat.${c.satisfaction}`)] : null,
    c.reopened ? [t('case.reopened'), t('common.yes')] : null,
    c.closedAt ? [t('case.closedAt'), dateTime(c.closedAt)] : null,
    c.escalatedAt ? [t('due.overdue'), t('case.escalated', { at: dateTime(c.escalatedAt) })] : null,
  ]);
}

function holdPanel(hold) {
  const tone = hold.status === 'open' ? 'alert-warn' : hold.status === 'upheld' ? 'alert-bad' : 'alert-ok';
  const text = t(`hold.${hold.status}`) === `hold.${hold.status}` ? hold.status : t(`hold.${hold.status}`);
  return subsection(t('case.hold'),
    h('div', { class: `alert ${tone}` }, h('p', {}, badge(t('case.hold'), hold.status === 'open' ? 'warn' : 'muted'), ' ', text, hold.decidedAt ? ` · ${dateTime(hold.decidedAt)}` : '')),
    hold.onNotice ? null : h('p', { class: 'muted' }, t('hold.notOnNotice')));
}

function historyTable(history) {
  return table(t('case.history'), [
    { label: t('history.at'), value: (e) => dateTime(e.at) },
    { label: t('history.actor'), value: (e) => e.actor },
    { label: t('history.event'), value: (e) => (t(`ev.${e.event}`) === `ev.${e.event}` ? e.event : t(`ev.${e.event}`)) },
    { label: t('history.change'), value: (e) => (e.from ? [statusBadge(e.from), ' → ', statusBadge(e.to)] : statusBadge(e.to)) },
    { label: t('history.note'), value: (e) => e.note ?? '' },
  ], history);
}

/** The actions the lifecycle allows this user now; the API still decides, and its problem is shown under the form. */
export function allowedActions(c, role) {
  const admin = role === 'bureau_admin';
  const handler = admin || role === 'school_officer';
  const open = OPEN.includes(c.status);
  const actions = [];
  if (admin && open) actions.push('assign');
  if (handler && ['assigned', 'in_progress', 'reopened'].includes(c.status)) actions.push('progress');
  if (handler && open && c.category !== 'objection' && !c.extension) actions.push('extension');
  if (admin && open && c.extension?.status === 'requested') actions.push('extensionDecision');
  if (admin && open && c.category === 'objection' && !c.objection) actions.push('objection');
  if (handler && open && c.status !== 'new' && (c.category !== 'objection' || c.objection)) actions.push('reply');
  if (admin && c.status === 'replied') actions.push('satisfaction');
  return actions;
}

function actionsPanel(c, me, rerender) {
  if (me.role === 'inspector') {
    return subsection(t('case.actions'), h('p', { class: 'alert alert-info' }, t('hotline.readOnly')));
  }
  const allowed = allowedActions(c, me.role);
  if (!allowed.length) {
    return subsection(t('case.actions'), h('p', { class: 'muted' }, t('case.noActions')));
  }
  const base = `/api/hotline/cases/${encodeURIComponent(c.caseNumber)}`;
  const builders = {
    assign: () => {
      const kind = h('select', { name: 'kind' }, h('option', { value: 'school' }, t('act.kindSchool')), h('option', { value: 'section' }, t('act.kindSection')));
      const key = h('input', { name: 'assignee', autocomplete: 'off', value: c.subject?.schoolCode ?? '', required: true });
      const note = h('input', { name: 'note', autocomplete: 'off' });
      return actionForm('assign', t('act.assign'), [field(t('act.assigneeKind'), kind), field(t('act.assigneeKey'), key, t('act.assigneeHint')), field(t('act.note'), note)],
        () => api.post(`${base}/assign`, { assignee: `${kind.value}:${key.value.trim()}`, note: note.value.trim() || null }));
    },
    progress: () => {
      const note = h('textarea', { name: 'note', required: true, maxlength: '2000' });
      return actionForm('progress', t('act.progress'), [field(t('act.progressNote'), note)], () => api.post(`${base}/progress`, { note: note.value }));
    },
    extension: () => {
      const reason = h('input', { name: 'reason', required: true, maxlength: '2000', autocomplete: 'off' });
      const days = h('input', { name: 'workingDays', type: 'number', min: '1', max: '30', value: '5', required: true });
      return actionForm('extension', t('act.extension'), [field(t('act.reason'), reason), field(t('act.workingDays'), days)],
        () => api.post(`${base}/extension`, { reason: reason.value, workingDays: Number(days.value) }));
    },
    extensionDecision: () => {
      const decision = h('select', { name: 'decision' }, h('option', { value: 'approved' }, t('act.approve')), h('option', { value: 'refused' }, t('act.refuse')));
      const reason = h('input', { name: 'reason', maxlength: '2000', autocomplete: 'off' });
      return actionForm('extensionDecision', t('act.extensionDecision'), [field(t('act.decision'), decision), field(t('act.decisionReason'), reason)],
        () => api.post(`${base}/extension/decision`, { decision: decision.value, reason: reason.value.trim() || null }));
    },
    objection: () => {
      const decision = h('select', { name: 'decision' }, h('option', { value: 'dismissed' }, t('act.dismissed')), h('option', { value: 'upheld' }, t('act.upheld')));
      const reason = h('textarea', { name: 'reason', required: true, maxlength: '2000' });
      return actionForm('objection', t('act.objection'), [field(t('act.decision'), decision), field(t('act.reason'), reason)],
        () => api.post(`${base}/objection/decision`, { decision: decision.value, reason: reason.value }));
    },
    reply: () => {
      const reply = h('textarea', { name: 'reply', required: true, maxlength: '2000' });
      return actionForm('reply', t('act.reply'), [field(t('act.replyText'), reply)], () => api.post(`${base}/reply`, { reply: reply.value }));
    },
    satisfaction: () => {
      const level = h('select', { name: 'satisfaction' }, ['satisfied', 'basically', 'unsatisfied'].map((s) => h('option', { value: s }, t(`sat.${s}`))));
      return actionForm('satisfaction', t('act.satisfaction'), [field(t('act.level'), level)], () => api.post(`${base}/satisfaction`, { satisfaction: level.value }));
    },
  };

  function actionForm(name, title, fields, submit) {
    const errors = h('div', { class: 'form-errors' });
    const id = `act-${name}`;
    // The browser's own required-field check is off: the API names the missing field in its problem, shown here.
    const form = h('form', { class: 'hotline-action', 'aria-labelledby': id, novalidate: true, dataset: { action: name } },
      h('h4', { id }, title),
      h('div', { class: 'form-grid' }, fields),
      h('div', { class: 'form-actions-inline' }, h('button', { type: 'submit', class: 'btn btn-primary' }, title)),
      errors);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      try {
        await submit();
        errors.replaceChildren();
        toast(t('act.done', { number: c.caseNumber }));
        await rerender();
      } catch (error) {
        errors.replaceChildren(problem(error));
      } finally {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      }
    });
    return form;
  }

  return subsection(t('case.actions'), allowed.map((name) => builders[name]()));
}
