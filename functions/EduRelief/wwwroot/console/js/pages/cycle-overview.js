// The cycle's "overview" tab: the stage timeline with when each stage began, what the cycle waits on now, and its
// figures as charts. A school officer sees their own school's figures only (the ledger and discrepancies the API
// scopes to their school), never the county's; their history has no actors or reasons, their cycle no error texts.

import { t, strings, lang } from '../i18n.js';
import { api, getAll, allows } from '../api.js';
import { h, badge, barChart, money, count, dateTime, subsection as section, facts, table, actionButton, problem, toast } from '../ui.js';

strings({
  zh: {
    'overview.timeline': '流程进度',
    'overview.timelineLabel': '资助周期各阶段',
    'overview.entered': '开始于 {at}',
    'overview.notYet': '未开始',
    'overview.state.done': '已完成',
    'overview.state.current': '当前阶段',
    'overview.state.todo': '未开始',
    'overview.state.cancelled': '在此阶段撤销',
    'overview.cancelled': '本周期已于 {at} 撤销：{reason}',
    'overview.cancelledAt': '本周期已于 {at} 撤销。',
    'overview.waiting': '当前等待',
    'overview.nothing': '当前没有待办事项。',
    'overview.wait.roster': '尚未上传{kind}。',
    'overview.wait.verifying': '正在核验两份名册（开始于 {at}）。',
    'overview.wait.verifyFailed': '核验失败：{error}。请重新上传名册或重新核验。',
    'overview.wait.verifyFailedSchool': '核验失败，等待教育局重新上传名册或重新核验。',
    'overview.wait.pending': '{n} 条姓名不一致尚待决定，全部决定后方可审核通过。',
    'overview.wait.approve': '核验已完成，等待教育局审核通过并开始公示。',
    'overview.wait.documents': '正在生成各校公示文件。',
    'overview.wait.notice': '公示至 {at}；{n} 条异议尚未处理。',
    'overview.wait.batches': '{n} 个发放批次等待银行回盘结果。',
    'overview.wait.cutting': '正在生成发放批次。',
    'overview.wait.schoolPaying': '本校应发 {owed} 人次，已发 {paid} 人次。',
    'overview.wait.rectification': '{n} 项整改尚未验收（其中 {overdue} 项已逾期）。',
    'overview.wait.closed': '本周期已结束。',
    'overview.closing': '结束本周期还需',
    'overview.closing.ready': '已满足结束条件：整改全部验收、热线工单全部办结、异议全部决定、资助全部发放。',
    'overview.closing.close': '结束本周期',
    'overview.closing.closed': '本周期已结束。',
    'overview.block.stage': '周期尚未进入整改阶段。',
    'overview.block.findings': '核验发现的问题尚未全部转为整改事项。',
    'overview.block.objections': '{n} 条异议尚未决定。',
    'overview.block.cases': '{n} 件热线工单尚未办结。',
    'overview.block.items': '{n} 项整改尚未验收。',
    'overview.block.payments': '{n} 笔资助尚未发放完毕（待发、失败、暂停或待核实）。',
    'overview.retry': '重试',
    'overview.retried': '已重新排队，稍后刷新查看。',
    'overview.counts': '核验结果',
    'overview.countsChart': '核验人数',
    'overview.count.students': '学籍名册人数',
    'overview.count.povertyPersons': '建档立卡人数',
    'overview.count.matched': '两库匹配',
    'overview.count.eligible': '符合资助条件',
    'overview.count.pendingReview': '待人工决定',
    'overview.count.rejected': '审核不予资助',
    'overview.programs': '各资助项目',
    'overview.programPeople': '各项目受助人数',
    'overview.programAmount': '各项目资助金额（元）',
    'overview.program': '资助项目',
    'overview.people': '人数',
    'overview.amount': '金额',
    'overview.owed': '应发',
    'overview.paid': '已发',
    'overview.total': '合计 {n} 人次，{amount}',
    'overview.noFigures': '核验完成后显示。',
    'overview.school': '本校（{school}）情况',
    'overview.schoolDiscrepancies': '本校核验问题',
    'overview.discrepancies': '核验发现的问题（条）',
    'overview.kind': '问题类型',
    'overview.facts': '周期信息',
    'overview.noticeDays': '公示期',
    'overview.noticeDaysValue': '{n} 个工作日',
    'overview.created': '启动时间',
    'overview.updated': '最近更新',
    'roster.students': '学籍名册',
    'roster.poverty': '建档立卡名册',
    'program.preschool_aid': '学前资助',
    'program.living_subsidy': '生活补助',
    'program.hs_grant': '普通高中助学金',
    'program.vocational_grant': '中职助学金',
    'program.college_grant': '高校助学金',
    'kind.invalidId': '身份证号无效',
    'kind.duplicateId': '身份证号重复',
    'kind.nameMismatch': '姓名不一致',
    'kind.notEnrolled': '适龄未入学（控辍保学）',
    'kind.invalidRow': '数据行有误',
    'kind.outsideCounty': '外地就学',
  },
  en: {
    'overview.timeline': 'Progress',
    'overview.timelineLabel': 'Stages of the aid cycle',
    'overview.entered': 'since {at}',
    'overview.notYet': 'not started',
    'overview.state.done': 'Done',
    'overview.state.current': 'Current stage',
    'overview.state.todo': 'Not started',
    'overview.state.cancelled': 'cancelled in this stage',
    'overview.cancelled': 'This cycle was cancelled at {at}: {reason}',
    'overview.cancelledAt': 'This cycle was cancelled at {at}.',
    'overview.waiting': 'Waiting on',
    'overview.nothing': 'Nothing is pending.',
    'overview.wait.roster': 'The {kind} is not uploaded yet.',
    'overview.wait.verifying': 'Verifying both rosters (started {at}).',
    'overview.wait.verifyFailed': 'Verification failed: {error}. Upload the rosters again or re-run verification.',
    'overview.wait.verifyFailedSchool': 'Verification failed; the bureau uploads the rosters again or re-runs it.',
    'overview.wait.pending': '{n} name mismatches await a decision; approval needs every one decided.',
    'overview.wait.approve': 'Verification is complete; the bureau approves to start the public notice.',
    'overview.wait.documents': 'The schools\' notice documents are being rendered.',
    'overview.wait.notice': 'The notice runs until {at}; {n} objections are open.',
    'overview.wait.batches': '{n} payment batches await the bank\'s result file.',
    'overview.wait.cutting': 'Payment batches are being cut.',
    'overview.wait.schoolPaying': 'Your school: {paid} of {owed} entitlements paid.',
    'overview.wait.rectification': '{n} rectification items are not accepted yet ({overdue} overdue).',
    'overview.wait.closed': 'This cycle is closed.',
    'overview.closing': 'Before this cycle can close',
    'overview.closing.ready': 'Ready to close: every item accepted, every hotline case closed, every objection decided, everyone paid.',
    'overview.closing.close': 'Close this cycle',
    'overview.closing.closed': 'This cycle is closed.',
    'overview.block.stage': 'The cycle has not reached rectification.',
    'overview.block.findings': 'The verification\'s findings are not yet opened as rectification items.',
    'overview.block.objections': '{n} objections are not decided yet.',
    'overview.block.cases': '{n} hotline cases are not closed yet.',
    'overview.block.items': '{n} rectification items are not accepted yet.',
    'overview.block.payments': '{n} payments are still owed (pending, failed, held or in doubt).',
    'overview.retry': 'Retry',
    'overview.retried': 'Queued again; refresh in a moment.',
    'overview.counts': 'Verification results',
    'overview.countsChart': 'People counted',
    'overview.count.students': 'Students on the roster',
    'overview.count.povertyPersons': 'Registered poor persons',
    'overview.count.matched': 'Matched',
    'overview.count.eligible': 'Eligible',
    'overview.count.pendingReview': 'Awaiting a decision',
    'overview.count.rejected': 'Rejected at review',
    'overview.programs': 'Aid programs',
    'overview.programPeople': 'Recipients per program',
    'overview.programAmount': 'Amount per program (yuan)',
    'overview.program': 'Program',
    'overview.people': 'People',
    'overview.amount': 'Amount',
    'overview.owed': 'Owed',
    'overview.paid': 'Paid',
    'overview.total': 'Total {n} entitlements, {amount}',
    'overview.noFigures': 'Shown once verification completes.',
    'overview.school': 'Your school ({school})',
    'overview.schoolDiscrepancies': 'Your school\'s verification issues',
    'overview.discrepancies': 'Issues found by verification',
    'overview.kind': 'Issue',
    'overview.facts': 'About this cycle',
    'overview.noticeDays': 'Notice period',
    'overview.noticeDaysValue': '{n} working days',
    'overview.created': 'Started',
    'overview.updated': 'Last change',
    'roster.students': 'student roster',
    'roster.poverty': 'poverty registry',
    'program.preschool_aid': 'Preschool aid',
    'program.living_subsidy': 'Living subsidy',
    'program.hs_grant': 'Senior high grant',
    'program.vocational_grant': 'Vocational grant',
    'program.college_grant': 'College grant',
    'kind.invalidId': 'Invalid ID number',
    'kind.duplicateId': 'Duplicate ID number',
    'kind.nameMismatch': 'Name mismatch',
    'kind.notEnrolled': 'School-age, not enrolled',
    'kind.invalidRow': 'Invalid row',
    'kind.outsideCounty': 'Studying outside the county',
  },
});

export const STAGES = ['awaiting_rosters', 'verifying', 'review', 'notice', 'disbursement', 'rectification', 'closed'];
export const KINDS = ['invalidId', 'duplicateId', 'nameMismatch', 'notEnrolled', 'invalidRow'];
/** Kinds listed with the discrepancies that ask nothing of anyone (children studying outside the county). */
export const LISTED_KINDS = [...KINDS, 'outsideCounty'];

/** When each stage was last entered, from the cycle's history (the transitions between stages). */
async function stageEntries(cycleId) {
  const history = await getAll(`/api/cycles/${encodeURIComponent(cycleId)}/history?pageSize=1000`, 5000);
  const entered = {};
  let cancelled = null;
  for (const entry of history) {
    if (entry.to && entry.to !== entry.from) {
      entered[entry.to] = entry.at;
      if (entry.to === 'cancelled') {
        cancelled = entry;
      }
    }
  }
  return { entered, cancelled, created: history[0]?.at };
}

function timeline(cycle, entered, cancelled) {
  const stopped = cancelled ? STAGES.indexOf(cancelled.from) : -1;
  const current = cycle.stage === 'cancelled' ? stopped : STAGES.indexOf(cycle.stage);
  return h('ol', { class: 'timeline', 'aria-label': t('overview.timelineLabel') },
    STAGES.map((stage, index) => {
      let state = 'todo';
      if (cycle.stage === 'closed' || index < current) {
        state = 'done';
      } else if (index === current) {
        state = cycle.stage === 'cancelled' ? 'cancelled' : 'current';
      }
      const at = entered[stage] ?? (index === 0 ? cycle.createdAt : null);
      return h('li', { class: { todo: null, cancelled: 'current stopped' }[state] ?? state, 'aria-current': state === 'current' ? 'step' : null },
        // Done and current are said in visible marks too, not only in colour.
        state === 'done' ? h('span', { 'aria-hidden': 'true' }, '✓ ') : null,
        h('span', {}, t(`stage.${stage}`)),
        state === 'cancelled' ? [' ', badge(t('stage.cancelled'), 'muted')] : null,
        state === 'current' ? [' ', badge(t('overview.state.current'), 'info')] : null,
        h('span', { class: 'visually-hidden' }, state === 'current' ? '' : `（${t(`overview.state.${state}`)}）`),
        h('span', { class: 'when' }, at && state !== 'todo' ? t('overview.entered', { at: dateTime(at) }) : t('overview.notYet')));
    }));
}

/** Each thing the API says the cycle waits on (its waitingOn), in words. */
function waitText(wait, cycle) {
  const verification = cycle.verification ?? {};
  switch (wait.kind) {
    case 'rosters':
      return wait.missing.map((kind) => t('overview.wait.roster', { kind: t(`roster.${kind}`) }));
    case 'verificationFailed':
      // A school officer is not given the error (it is about the county's files): the bureau acts on it.
      return verification.error ? t('overview.wait.verifyFailed', { error: (lang() === 'en' && verification.errorEn) || verification.error }) : t('overview.wait.verifyFailedSchool');
    case 'verification':
      return t('overview.wait.verifying', { at: dateTime(wait.since) });
    case 'nameMismatches':
      return t('overview.wait.pending', { n: count(wait.count) });
    case 'approval':
      return t('overview.wait.approve');
    case 'noticeDocuments':
      return t('overview.wait.documents');
    case 'noticePeriod':
      return t('overview.wait.notice', { at: dateTime(wait.until), n: count(wait.count) });
    case 'batchCutting':
      return t('overview.wait.cutting');
    case 'bankResults':
      return t('overview.wait.batches', { n: count(wait.count) });
    case 'rectificationItems':
      return t('overview.wait.rectification', { n: count(wait.count), overdue: count(wait.overdue) });
    default:
      return [];
  }
}

/** What the cycle waits on now, in words. */
function waitingOn(cycle, me, onRetried) {
  const items = (cycle.waitingOn ?? []).flatMap((wait) => waitText(wait, cycle));
  // A school officer is given no batches (they are the county's), only their school's money.
  if (cycle.stage === 'disbursement' && me.role === 'school_officer' && Array.isArray(cycle.disbursement?.programs)) {
    const sum = (key) => cycle.disbursement.programs.reduce((n, p) => n + (p[key]?.count ?? 0), 0);
    items.push(t('overview.wait.schoolPaying', { owed: count(sum('owed')), paid: count(sum('paid')) }));
  }
  if (cycle.stage === 'closed') {
    items.push(t('overview.wait.closed'));
  }

  const list = h('ul', { class: 'waiting' }, items.map((text) => h('li', {}, text)));
  for (const dead of cycle.deadLetters ?? []) {
    const errors = h('div', { 'aria-live': 'polite' });
    list.append(h('li', { class: 'dead-letter' },
      badge(t('error.title'), 'bad'), ' ',
      // The API says which step stopped in people's words; the exception text (technical) is for the operators' tools.
      (lang() === 'en' && dead.errorEn) || dead.error, ' ',
      h('span', { class: 'muted' }, dateTime(dead.failedAt)), ' ',
      me.role === 'bureau_admin'
        ? actionButton(t('overview.retry'), () => api.post(`/api/cycles/${encodeURIComponent(cycle.id)}/dead-letters/${encodeURIComponent(dead.id)}/retry`),
          { tone: 'secondary', errorTarget: errors, attrs: { class: 'btn btn-secondary btn-small' }, onDone: () => { toast(t('overview.retried')); onRetried(); } })
        : null,
      errors));
  }
  return list.children.length ? list : h('p', {}, t('overview.nothing'));
}

function programName(code) {
  const key = `program.${code}`;
  const text = t(key);
  return text === key ? code : text;
}

/** Per-program people and yuan as two charts and a table: items [{ program, people, amount, paid? }]. */
function programFigures(rows, { paid = false } = {}) {
  if (!rows.length) {
    return h('p', { class: 'empty' }, t('common.none'));
  }
  const totalPeople = rows.reduce((sum, r) => sum + (Number(r.people) || 0), 0);
  const totalAmount = rows.reduce((sum, r) => sum + (Number(r.amount) || 0), 0);
  const columns = [
    { label: t('overview.program'), value: (r) => programName(r.program) },
    { label: t('overview.people'), value: (r) => count(r.people), class: 'num' },
    { label: paid ? t('overview.owed') : t('overview.amount'), value: (r) => money(r.amount), class: 'num' },
  ];
  if (paid) {
    columns.push({ label: t('overview.paid'), value: (r) => money(r.paid), class: 'num' });
  }
  return h('div', { class: 'overview-programs' },
    h('div', { class: 'grid' },
      barChart(t('overview.programPeople'), rows.map((r) => ({ label: programName(r.program), value: r.people, tone: 'info' }))),
      barChart(t('overview.programAmount'), rows.map((r) => ({ label: programName(r.program), value: r.amount, tone: 'ok' })), money)),
    table(t('overview.programs'), columns, rows),
    h('p', { class: 'muted' }, t('overview.total', { n: count(totalPeople), amount: money(totalAmount) })));
}

function countyFigures(cycle) {
  const v = cycle.verification;
  if (v?.status !== 'completed') {
    return [section(t('overview.counts'), h('p', { class: 'empty' }, t('overview.noFigures')))];
  }
  const counts = ['students', 'povertyPersons', 'matched', 'eligible', 'pendingReview', 'rejected']
    .map((name) => ({ label: t(`overview.count.${name}`), value: v[name] ?? 0, tone: name === 'pendingReview' ? 'warn' : name === 'rejected' ? 'muted' : name === 'eligible' ? 'ok' : 'info' }));
  if (v.outsideCounty) {
    counts.push({ label: t('kind.outsideCounty'), value: v.outsideCounty, tone: 'info' });
  }
  const discrepancies = KINDS.map((kind) => ({ label: t(`kind.${kind}`), value: v.discrepancies?.[kind] ?? 0, tone: 'bad' }));

  const disbursed = cycle.disbursement?.programs;
  const rows = Array.isArray(disbursed) && disbursed.length
    ? disbursed.map((p) => ({ program: p.program, people: p.owed?.count ?? 0, amount: p.owed?.amount ?? 0, paid: p.paid?.amount ?? 0 }))
    : Object.entries(v.programs ?? {}).map(([program, p]) => ({ program, people: p.recipients, amount: p.amount }));
  return [
    section(t('overview.counts'), h('div', { class: 'grid' }, barChart(t('overview.countsChart'), counts), barChart(t('overview.discrepancies'), discrepancies))),
    section(t('overview.programs'), programFigures(rows, { paid: Array.isArray(disbursed) && disbursed.length > 0 })),
  ];
}

/** A school officer's own school: its ledger rows and discrepancies, both scoped to the school by the API. */
async function schoolFigures(cycle, me) {
  const title = t('overview.school', { school: me.schoolName ?? me.schoolCode });
  if (cycle.verification?.status !== 'completed') {
    return [section(title, h('p', { class: 'empty' }, t('overview.noFigures')))];
  }
  const base = `/api/cycles/${encodeURIComponent(cycle.id)}`;
  const school = encodeURIComponent(me.schoolCode);
  const [ledger, discrepancies] = await Promise.all([
    getAll(`${base}/ledger?schoolCode=${school}&pageSize=1000`, 20000),
    getAll(`${base}/discrepancies?schoolCode=${school}&pageSize=1000`, 20000),
  ]);
  const byProgram = new Map();
  for (const row of ledger) {
    const entry = byProgram.get(row.program) ?? { program: row.program, people: 0, amount: 0 };
    entry.people += 1;
    entry.amount = Math.round((entry.amount + Number(row.amount)) * 100) / 100;
    byProgram.set(row.program, entry);
  }
  const kinds = KINDS.map((kind) => ({ label: t(`kind.${kind}`), value: discrepancies.filter((d) => d.kind === kind).length, tone: 'bad' }));
  return [
    section(title, programFigures([...byProgram.values()])),
    section(t('overview.schoolDiscrepancies'), barChart(t('overview.schoolDiscrepancies'), kinds)),
  ];
}

/** What keeps the cycle from closing, from GET …/closing: objections, hotline cases, items, payments. */
async function closingPanel(cycle, me, refresh) {
  const answer = await api.get(`/api/cycles/${encodeURIComponent(cycle.id)}/closing`);
  const errors = h('div', { 'aria-live': 'polite' });
  const body = answer.blockers.length
    ? h('ul', { class: 'waiting closing-blockers' }, answer.blockers.map((b) => h('li', { 'data-kind': b.kind }, t(`overview.block.${b.kind}`, { n: count(b.count) }))))
    : h('p', {}, t('overview.closing.ready'));
  return h('section', { class: 'panel', 'aria-labelledby': 'overview-closing' },
    h('h3', { id: 'overview-closing' }, t('overview.closing')),
    body,
    answer.canClose && allows(cycle, 'close')
      ? actionButton(t('overview.closing.close'), () => api.post(`/api/cycles/${encodeURIComponent(cycle.id)}/close`),
        { errorTarget: errors, onDone: () => { toast(t('overview.closing.closed')); refresh(); } })
      : null,
    errors);
}

export default async function render(container, { cycle, me, refresh }) {
  const { entered, cancelled } = await stageEntries(cycle.id);
  const officer = me.role === 'school_officer';
  let figures;
  try {
    figures = officer ? await schoolFigures(cycle, me) : countyFigures(cycle);
  } catch (error) {
    figures = [problem(error)];
  }

  let closing = null;
  if (cycle.stage === 'rectification' && !officer) {
    try {
      closing = await closingPanel(cycle, me, refresh);
    } catch (error) {
      closing = problem(error);
    }
  }

  container.append(...[
    h('h2', {}, t('tab.overview')),
    cycle.stage === 'cancelled' && cancelled
      ? h('div', { class: 'alert alert-warn', role: 'status' }, h('p', {}, badge(t('stage.cancelled'), 'muted'), ' ', cancelled.reason ? t('overview.cancelled', { at: dateTime(cancelled.at), reason: cancelled.reason }) : t('overview.cancelledAt', { at: dateTime(cancelled.at) })))
      : null,
    h('section', { class: 'panel', 'aria-labelledby': 'overview-timeline' },
      h('h3', { id: 'overview-timeline' }, t('overview.timeline')),
      timeline(cycle, entered, cancelled),
      h('h3', {}, t('overview.waiting')),
      waitingOn(cycle, me, refresh)),
    closing,
    ...figures,
    h('section', { class: 'panel' }, h('h3', {}, t('overview.facts')),
      facts([
        [t('overview.noticeDays'), t('overview.noticeDaysValue', { n: cycle.noticeDays })],
        [t('overview.created'), dateTime(cycle.createdAt)],
        [t('overview.updated'), dateTime(cycle.updatedAt)],
      ])),
  ].filter(Boolean));
}
