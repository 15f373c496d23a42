// The cycle's "payments" tab (发放与对账): money per program, the batches and where each stands with the bank, and a
// batch's own page (#/cycles/{id}/payments/{batchId}): its rows (masked), the payment file (bureau_admin; every
// download is recorded), the bank's result, the exceptions and their resolution. Cutting a batch (also 补发) is here.

import { t, strings } from '../i18n.js';
import { api, allows } from '../api.js';
import { h, clear, table, barChart, badge, money, count, dateTime, problem, actionButton, field, facts, toast, fileUpload } from '../ui.js';

strings({
  zh: {
    'pay.title': '发放与对账',
    'pay.notYet': '公示结束后才开始发放：本周期当前处于“{stage}”阶段。',
    'pay.totals': '各项目发放情况',
    'pay.chart': '全周期金额（元）',
    'pay.settled': '已结清：应发的每一笔都已到账',
    'pay.unsettled': '未结清：仍有待发、失败或暂缓的款项',
    'pay.program': '资助项目',
    'pay.owed': '应发',
    'pay.paid': '已发',
    'pay.pending': '待发',
    'pay.failed': '发放失败',
    'pay.held': '暂缓（异议）',
    'pay.backPaid': '其中补发',
    'pay.cancelled': '已取消',
    'pay.people': '{count} 人',
    'pay.batches': '发放批次',
    'pay.batch': '批次',
    'pay.kind': '类型',
    'pay.kind.regular': '常规',
    'pay.kind.backpay': '补发',
    'pay.rows': '笔数',
    'pay.total': '金额',
    'pay.status': '对账状态',
    'pay.createdAt': '生成时间',
    'pay.createdBy': '生成人',
    'pay.st.cutting': '正在生成',
    'pay.st.sealed': '已封包，待下载发放文件',
    'pay.st.downloaded': '发放文件已下载（{n} 次），待银行回盘',
    'pay.st.reconciling': '已收到银行回盘，正在对账',
    'pay.st.reconciled': '已对账',
    'pay.st.exceptions': '已对账，有 {n} 项异常',
    'pay.cut': '生成发放批次',
    'pay.cutHint': '常规批次收入该项目所有应发未发（含上次失败）的款项；补发批次用于公示后才确认的款项，须写明原因。',
    'pay.cutButton': '生成批次',
    'pay.reason': '补发原因',
    'pay.reasonHint': '补发批次必填，1–500 字。',
    'pay.why': '生成原因',
    'pay.cutDone': '已生成批次 {id}',
    'pay.cutSame': '该请求已生成过批次 {id}',
    'pay.back': '返回发放与对账',
    'pay.batchTitle': '批次 {id}',
    'pay.sealedAt': '封包时间',
    'pay.fileHash': '发放文件 SHA-256',
    'pay.resultHash': '回盘文件 SHA-256',
    'pay.reconciledAt': '对账时间',
    'pay.file': '发放文件',
    'pay.fileHint': '发放文件含完整身份证号，仅教育局管理员可下载，每次下载均留痕。',
    'pay.download': '下载发放文件',
    'pay.downloaded': '已下载 {name}',
    'pay.downloads': '下载记录',
    'pay.downloadBy': '下载人',
    'pay.downloadAt': '时间',
    'pay.result': '银行回盘',
    'pay.resultFile': '回盘文件（CSV：序号, 身份证号, 金额, 状态, 原因）',
    'pay.resultHint': '整份校验，有错误则整份不入账，并逐行列出问题；同一文件重复上传不会重复入账。',
    'pay.upload': '上传回盘',
    'pay.chooseFile': '请先选择文件。',
    'pay.progress': '上传进度',
    'pay.outcome': '对账结果',
    'pay.unchanged': '该回盘文件此前已入账，本次没有变化。',
    'pay.paidCount': '成功 {n} 笔，{amount}',
    'pay.failedCount': '失败 {n} 笔，{amount}（仍为应发，进入下一批次）',
    'pay.exceptionCount': '异常 {n} 项（已转为整改事项）',
    'pay.exceptions': '对账异常',
    'pay.ex.kind': '异常类型',
    'pay.ex.sequence': '序号',
    'pay.ex.fileRow': '回盘行',
    'pay.ex.id': '身份证号（脱敏）',
    'pay.ex.batchAmount': '批次金额',
    'pay.ex.bankAmount': '银行金额',
    'pay.ex.bank': '银行状态/原因',
    'pay.ex.notInBatch': '回盘中有批次外人员',
    'pay.ex.amountDiffers': '金额与批次不符',
    'pay.ex.notReturned': '银行未返回该笔',
    'pay.ex.idMismatch': '序号与身份证号不对应',
    'pay.ex.duplicateRow': '同一序号重复返回',
    'pay.ex.contradictoryRows': '同一人的返回记录相互矛盾',
    'pay.ex.alreadyPaid': '该款项已在其他批次发放',
    'pay.resolve': '处理',
    'pay.resolution': '核实结果',
    'pay.resolvePaid': '已到账（银行确认）',
    'pay.resolveUnpaid': '未到账（下一批次重发）',
    'pay.resolveReason': '核实说明',
    'pay.resolveButton': '确认处理',
    'pay.resolved.paid': '已处理：确认到账',
    'pay.resolved.unpaid': '已处理：下一批次重发',
    'pay.items': '批次明细',
    'pay.seq': '序号',
    'pay.name': '姓名',
    'pay.maskedId': '身份证号（脱敏）',
    'pay.school': '学校',
    'pay.amount': '金额',
    'pay.backPayReason': '补发原因',
    'pay.sys.notice ended': '公示期满',
    'pay.sys.objection dismissed after the regular batch was cut': '常规批次生成后异议被驳回，转为补发',
    'pay.sys.no usable account when the regular batch was cut': '常规批次生成时没有可用的代发账户，账户可用后补发',
    'pay.sys.owed after the regular batch was cut': '常规批次生成时未列入，随后补发',
    'pay.batchPaid': '成功笔数',
    'pay.batchFailed': '失败笔数',
    'pay.trouble': '发放失败与待核实的学生',
    'pay.troubleNone': '没有发放失败或待核实的学生。',
    'pay.children': '本校学生发放情况',
    'pay.childrenNone': '本校暂无应发款项。',
    'pay.payStatus': '发放状态',
    'pay.paidAt': '到账时间',
    'pay.why.trouble': '原因',
    'pay.ps.pending': '待发放',
    'pay.ps.held': '暂缓（异议）',
    'pay.ps.failed': '发放失败',
    'pay.ps.inDoubt': '待核实',
    'pay.ps.paid': '已发放',
    'pay.ps.cancelled': '已取消',
  },
  en: {
    'pay.title': 'Payments',
    'pay.notYet': 'Payments start when the public notice ends; this cycle is at “{stage}”.',
    'pay.totals': 'Money per program',
    'pay.chart': 'Whole cycle (yuan)',
    'pay.settled': 'Settled: everything owed has been paid',
    'pay.unsettled': 'Not settled: payments are pending, failed or held',
    'pay.program': 'Program',
    'pay.owed': 'Owed',
    'pay.paid': 'Paid',
    'pay.pending': 'Pending',
    'pay.failed': 'Failed',
    'pay.held': 'Held (objection)',
    'pay.backPaid': 'of which back-paid',
    'pay.cancelled': 'Cancelled',
    'pay.people': '{count} people',
    'pay.batches': 'Payment batches',
    'pay.batch': 'Batch',
    'pay.kind': 'Kind',
    'pay.kind.regular': 'Regular',
    'pay.kind.backpay': 'Back-pay',
    'pay.rows': 'Rows',
    'pay.total': 'Amount',
    'pay.status': 'Reconciliation',
    'pay.createdAt': 'Created',
    'pay.createdBy': 'Created by',
    'pay.st.cutting': 'Being cut',
    'pay.st.sealed': 'Sealed, payment file not downloaded yet',
    'pay.st.downloaded': 'Payment file downloaded ({n}×), awaiting the bank’s result',
    'pay.st.reconciling': 'Bank result received, reconciling',
    'pay.st.reconciled': 'Reconciled',
    'pay.st.exceptions': 'Reconciled with {n} exception(s)',
    'pay.cut': 'Cut a payment batch',
    'pay.cutHint': 'A regular batch takes everything of the program owed and unpaid (including earlier failures); a back-pay batch is for entitlements confirmed after the notice and needs a reason.',
    'pay.cutButton': 'Cut batch',
    'pay.reason': 'Back-pay reason',
    'pay.reasonHint': 'Required for a back-pay batch, 1–500 characters.',
    'pay.why': 'Why cut',
    'pay.cutDone': 'Batch {id} cut',
    'pay.cutSame': 'This request already cut batch {id}',
    'pay.back': 'Back to payments',
    'pay.batchTitle': 'Batch {id}',
    'pay.sealedAt': 'Sealed',
    'pay.fileHash': 'Payment file SHA-256',
    'pay.resultHash': 'Result file SHA-256',
    'pay.reconciledAt': 'Reconciled',
    'pay.file': 'Payment file',
    'pay.fileHint': 'The payment file carries full ID numbers: bureau administrators only, and every download is recorded.',
    'pay.download': 'Download payment file',
    'pay.downloaded': 'Downloaded {name}',
    'pay.downloads': 'Download history',
    'pay.downloadBy': 'By',
    'pay.downloadAt': 'At',
    'pay.result': 'Bank result',
    'pay.resultFile': 'Result file (CSV: 序号, 身份证号, 金额, 状态, 原因)',
    'pay.resultHint': 'Checked as a whole: any error refuses the whole file, row by row; the same file twice changes nothing.',
    'pay.upload': 'Upload result',
    'pay.chooseFile': 'Choose a file first.',
    'pay.progress': 'Upload progress',
    'pay.outcome': 'Reconciliation outcome',
    'pay.unchanged': 'This result file was applied before; nothing changed.',
    'pay.paidCount': '{n} paid, {amount}',
    'pay.failedCount': '{n} failed, {amount} (still owed, the next batch takes them)',
    'pay.exceptionCount': '{n} exception(s) (opened as rectification items)',
    'pay.exceptions': 'Reconciliation exceptions',
    'pay.ex.kind': 'Exception',
    'pay.ex.sequence': 'Seq.',
    'pay.ex.fileRow': 'File row',
    'pay.ex.id': 'ID number (masked)',
    'pay.ex.batchAmount': 'Batch amount',
    'pay.ex.bankAmount': 'Bank amount',
    'pay.ex.bank': 'Bank status / reason',
    'pay.ex.notInBatch': 'Someone not in the batch',
    'pay.ex.amountDiffers': 'Amount differs from the batch',
    'pay.ex.notReturned': 'Row not returned by the bank',
    'pay.ex.idMismatch': 'Sequence and ID number do not match',
    'pay.ex.duplicateRow': 'Sequence returned twice',
    'pay.ex.contradictoryRows': 'Contradictory rows for one person',
    'pay.ex.alreadyPaid': 'Already paid in another batch',
    'pay.resolve': 'Resolve',
    'pay.resolution': 'What the bank confirmed',
    'pay.resolvePaid': 'Paid (the bank confirms)',
    'pay.resolveUnpaid': 'Not paid (pay in the next batch)',
    'pay.resolveReason': 'Explanation',
    'pay.resolveButton': 'Record resolution',
    'pay.resolved.paid': 'Resolved: paid',
    'pay.resolved.unpaid': 'Resolved: paid again in the next batch',
    'pay.items': 'Rows of the batch',
    'pay.seq': 'Seq.',
    'pay.name': 'Name',
    'pay.maskedId': 'ID number (masked)',
    'pay.school': 'School',
    'pay.amount': 'Amount',
    'pay.backPayReason': 'Back-pay reason',
    'pay.sys.notice ended': 'Notice period ended',
    'pay.sys.objection dismissed after the regular batch was cut': 'Objection dismissed after the regular batch was cut',
    'pay.sys.no usable account when the regular batch was cut': 'No usable account when the regular batch was cut; paid by back-pay once it is',
    'pay.sys.owed after the regular batch was cut': 'Not in the regular batch when it was cut; paid by back-pay',
    'pay.batchPaid': 'Paid',
    'pay.batchFailed': 'Failed',
    'pay.trouble': 'Failed and in-doubt payments',
    'pay.troubleNone': 'No payment failed or is in doubt.',
    'pay.children': 'Our students’ payments',
    'pay.childrenNone': 'Nothing is owed to our students yet.',
    'pay.payStatus': 'Payment',
    'pay.paidAt': 'Paid at',
    'pay.why.trouble': 'Reason',
    'pay.ps.pending': 'Pending',
    'pay.ps.held': 'Held (objection)',
    'pay.ps.failed': 'Failed',
    'pay.ps.inDoubt': 'In doubt',
    'pay.ps.paid': 'Paid',
    'pay.ps.cancelled': 'Cancelled',
  },
});

const PROGRAMS = ['preschool_aid', 'living_subsidy', 'hs_grant', 'vocational_grant', 'college_grant'];
const PAYING = ['disbursement', 'rectification', 'closed'];

strings({
  zh: { 'program.preschool_aid': '学前资助', 'program.living_subsidy': '生活补助', 'program.hs_grant': '普通高中助学金', 'program.vocational_grant': '中职助学金', 'program.college_grant': '高校助学金' },
  en: { 'program.preschool_aid': 'Preschool aid', 'program.living_subsidy': 'Living subsidy', 'program.hs_grant': 'Senior secondary grant', 'program.vocational_grant': 'Vocational grant', 'program.college_grant': 'College grant' },
});

const programName = (code) => t(`program.${code}`);
const isAdmin = (me) => me.role === 'bureau_admin';

/** Where a batch stands with the bank, in words, with a badge whose tone repeats it. */
export function batchStatus(batch) {
  if (batch.status === 'cutting') {
    return badge(t('pay.st.cutting'), 'muted');
  }
  if (batch.status === 'sealed') {
    return batch.downloads > 0 ? badge(t('pay.st.downloaded', { n: batch.downloads }), 'info') : badge(t('pay.st.sealed'), 'warn');
  }
  if (batch.status === 'reconciling') {
    return badge(t('pay.st.reconciling'), 'info');
  }
  const exceptions = batch.result?.exceptions ?? 0;
  return exceptions > 0 ? badge(t('pay.st.exceptions', { n: exceptions }), 'bad') : badge(t('pay.st.reconciled'), 'ok');
}

const kindText = (batch) => t(`pay.kind.${batch.kind}`);
const figure = (f) => h('span', { class: 'figure' }, h('span', { class: 'figure-amount' }, money(f?.amount ?? 0)), ' ', h('span', { class: 'figure-count' }, t('pay.people', { count: count(f?.count ?? 0) })));

export default async function render(container, ctx) {
  if (ctx.params.sub) {
    await renderBatch(container, ctx, null);
    return;
  }
  container.append(h('h2', {}, t('pay.title')));
  const { cycle, me } = ctx;
  if (!PAYING.includes(cycle.stage)) {
    container.append(h('p', { class: 'alert alert-info' }, t('pay.notYet', { stage: t(`stage.${cycle.stage}`) })));
    return;
  }

  const base = `/api/cycles/${encodeURIComponent(cycle.id)}`;
  // A school officer reads their own school's money and children (the API answers nothing else); batches are the county's.
  const officer = me.role === 'school_officer';
  let totals;
  let batches;
  let children;
  try {
    [totals, batches, children] = await Promise.all([
      api.get(`${base}/disbursement`),
      officer ? null : api.get(`${base}/batches`),
      allPages(officer ? `${base}/payments?pageSize=1000` : `${base}/payments?status=failed&status=inDoubt&pageSize=1000`),
    ]);
  } catch (error) {
    container.append(problem(error));
    return;
  }

  container.append(totalsSection(totals.programs, cycle.disbursement?.settled));
  container.append(childrenSection(children, officer));
  if (!officer) {
    container.append(h('section', { class: 'panel', 'aria-labelledby': 'pay-batches' }, h('h3', { id: 'pay-batches' }, t('pay.batches')), batchTable(batches.items, ctx)));
  }
  if (allows(cycle, 'cutBatch')) {
    container.append(cutForm(ctx));
  }
}

function totalsSection(programs, settled) {
  const sum = (key) => programs.reduce((acc, p) => acc + Number(p[key]?.amount ?? 0), 0);
  const chart = barChart(t('pay.chart'), [
    { label: t('pay.owed'), value: sum('owed'), tone: 'info' },
    { label: t('pay.paid'), value: sum('paid'), tone: 'ok' },
    { label: t('pay.pending'), value: sum('pending'), tone: 'muted' },
    { label: t('pay.failed'), value: sum('failed'), tone: 'bad' },
    { label: t('pay.held'), value: sum('held'), tone: 'warn' },
    { label: t('pay.backPaid'), value: sum('backPaid'), tone: 'info' },
  ], money);
  const columns = [
    { label: t('pay.program'), value: (p) => programName(p.program) },
    ...['owed', 'paid', 'pending', 'failed', 'held', 'backPaid', 'cancelled'].map((key) => ({ label: t(`pay.${key}`), class: 'num', value: (p) => figure(p[key]) })),
  ];
  return h('section', { class: 'panel', 'aria-labelledby': 'pay-totals' },
    h('h3', { id: 'pay-totals' }, t('pay.totals')),
    settled === undefined ? null : h('p', { 'data-testid': 'settled' }, settled ? badge(t('pay.settled'), 'ok') : badge(t('pay.unsettled'), 'warn')),
    h('div', { class: 'money-totals' },
      chart,
      table(t('pay.totals'), columns, programs.filter((p) => p.owed.count > 0 || p.cancelled.count > 0))));
}

async function allPages(path) {
  const items = [];
  let token = null;
  do {
    const page = await api.get(token ? `${path}&continuationToken=${encodeURIComponent(token)}` : path);
    items.push(...page.items);
    token = page.continuationToken;
  } while (token);
  return items;
}

/** Why a payment is not through: the bank's words for a failure, what made an answer unclear for one in doubt. */
const troubleReason = (p) => (p.status === 'failed' ? p.bankReason : p.status === 'inDoubt' && p.inDoubtReason ? t(`pay.ex.${p.inDoubtReason}`) : null) ?? '—';

const PAY_TONES = { paid: 'ok', failed: 'bad', inDoubt: 'warn', held: 'warn', pending: 'muted', cancelled: 'muted' };

/** The bureau: every child whose payment failed or is in doubt, with why. An officer: each of their school's children. */
function childrenSection(children, officer) {
  const id = officer ? 'pay-children' : 'pay-trouble';
  const title = t(officer ? 'pay.children' : 'pay.trouble');
  const columns = [
    { label: t('pay.name'), value: (p) => p.name },
    { label: t('pay.maskedId'), value: (p) => p.maskedId },
    { label: t('pay.school'), value: (p) => p.schoolName },
    { label: t('pay.program'), value: (p) => programName(p.program) },
    { label: t('pay.amount'), class: 'num', value: (p) => money(p.amount) },
    { label: t('pay.payStatus'), value: (p) => badge(t(`pay.ps.${p.status}`), PAY_TONES[p.status] ?? 'muted') },
    { label: t('pay.why.trouble'), value: troubleReason },
    { label: t('pay.batch'), value: (p) => p.batchId ?? '—' },
    { label: t('pay.paidAt'), value: (p) => (p.paidAt ? dateTime(p.paidAt) : '—') },
  ];
  return h('section', { class: 'panel', 'aria-labelledby': id, 'data-testid': id },
    h('h3', { id }, title),
    children.length ? table(title, columns, children) : h('p', {}, t(officer ? 'pay.childrenNone' : 'pay.troubleNone')));
}

/** A reason the system wrote (a fixed phrase, stored as such) in the console's language; a person's own words as given. */
function reasonText(reason) {
  const key = `pay.sys.${reason}`;
  return t(key) === key ? reason : t(key);
}

function batchTable(items, ctx) {
  return table(t('pay.batches'), [
    { label: t('pay.batch'), value: (b) => h('a', { href: `#${ctx.path('payments', b.id)}` }, b.id) },
    { label: t('pay.program'), value: (b) => programName(b.program) },
    { label: t('pay.kind'), value: (b) => (b.kind === 'backpay' ? [badge(kindText(b), 'info'), b.reason ? h('span', { class: 'muted' }, ` ${reasonText(b.reason)}`) : null] : kindText(b)) },
    { label: t('pay.rows'), class: 'num', value: (b) => count(b.count) },
    { label: t('pay.total'), class: 'num', value: (b) => money(b.total) },
    { label: t('pay.batchPaid'), class: 'num', value: (b) => (b.result ? count(b.result.paid) : '—') },
    { label: t('pay.batchFailed'), class: 'num', value: (b) => (b.result ? count(b.result.failed) : '—') },
    { label: t('pay.status'), value: (b) => batchStatus(b) },
    { label: t('pay.createdAt'), value: (b) => dateTime(b.createdAt) },
  ], items);
}

function cutForm(ctx) {
  const base = `/api/cycles/${encodeURIComponent(ctx.cycle.id)}`;
  const program = h('select', {}, PROGRAMS.map((p) => h('option', { value: p }, programName(p))));
  const kind = h('select', {}, ['regular', 'backpay'].map((k) => h('option', { value: k }, t(`pay.kind.${k}`))));
  const reason = h('textarea', { rows: 2, maxlength: 500 });
  const reasonField = field(t('pay.reason'), reason, t('pay.reasonHint'));
  const errors = h('div', { 'aria-live': 'polite' });
  // One request id per form: a retried click finds the batch it already cut instead of cutting a second.
  let requestId = crypto.randomUUID();
  const sync = () => { reasonField.hidden = kind.value !== 'backpay'; };
  kind.addEventListener('change', sync);
  [program, kind, reason].forEach((c) => c.addEventListener('change', () => { requestId = crypto.randomUUID(); }));
  sync();
  const button = actionButton(t('pay.cutButton'), async () => {
    const response = await api.send('POST', `${base}/batches`, {
      body: { program: program.value, kind: kind.value, reason: kind.value === 'backpay' ? reason.value : undefined, requestId },
      raw: true,
    });
    return { created: response.status === 201, batch: await response.json() };
  }, {
    errorTarget: errors,
    onDone: ({ created, batch }) => {
      toast(t(created ? 'pay.cutDone' : 'pay.cutSame', { id: batch.id }));
      ctx.navigate(ctx.path('payments', batch.id));
    },
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'pay-cut' },
    h('h3', { id: 'pay-cut' }, t('pay.cut')),
    h('p', { class: 'hint' }, t('pay.cutHint')),
    h('div', { class: 'form-grid' }, field(t('pay.program'), program), field(t('pay.kind'), kind), reasonField),
    h('div', { class: 'form-actions' }, button),
    errors);
}

/** A batch's page; `flash` is the outcome of the upload just made, shown above the refreshed figures. */
async function renderBatch(container, ctx, flash) {
  const { cycle, me, params } = ctx;
  const base = `/api/cycles/${encodeURIComponent(cycle.id)}/batches/${encodeURIComponent(params.sub)}`;
  const back = h('p', { class: 'crumbs' }, h('a', { href: `#${ctx.path('payments')}` }, t('pay.back')));
  let detail;
  try {
    detail = await api.get(base);
  } catch (error) {
    clear(container, back, h('h2', {}, t('pay.batchTitle', { id: params.sub })), problem(error));
    return;
  }
  const { batch, exceptions } = detail;
  const rerender = (outcome) => renderBatch(container, ctx, outcome);

  const summary = h('section', { class: 'panel', 'aria-labelledby': 'batch-facts' },
    h('h3', { id: 'batch-facts', class: 'visually-hidden' }, t('common.details')),
    h('p', { 'data-testid': 'batch-status' }, batchStatus(batch)),
    facts([
      [t('pay.program'), programName(batch.program)],
      [t('pay.kind'), kindText(batch)],
      batch.reason ? [batch.kind === 'backpay' ? t('pay.reason') : t('pay.why'), reasonText(batch.reason)] : null,
      [t('pay.rows'), count(batch.count)],
      [t('pay.total'), money(batch.total)],
      [t('pay.createdBy'), batch.createdBy],
      [t('pay.createdAt'), dateTime(batch.createdAt)],
      [t('pay.sealedAt'), dateTime(batch.sealedAt)],
      batch.paymentFileSha256 ? [t('pay.fileHash'), h('code', { class: 'hash' }, batch.paymentFileSha256)] : null,
      batch.reconciledAt ? [t('pay.reconciledAt'), dateTime(batch.reconciledAt)] : null,
      batch.resultSha256 ? [t('pay.resultHash'), h('code', { class: 'hash' }, batch.resultSha256)] : null,
      batch.result ? [t('pay.paid'), t('pay.paidCount', { n: count(batch.result.paid), amount: money(batch.result.paidAmount) })] : null,
      batch.result ? [t('pay.failed'), t('pay.failedCount', { n: count(batch.result.failed), amount: money(batch.result.failedAmount) })] : null,
    ]));

  const parts = [back, h('h2', {}, t('pay.batchTitle', { id: batch.id })), flash ? outcomeBox(flash) : null, summary];
  if (isAdmin(me) && batch.status !== 'cutting') {
    parts.push(await paymentFileSection(base, batch, rerender));
    parts.push(resultSection(base, batch, rerender));
  }
  if (exceptions.length) {
    parts.push(exceptionSection(base, exceptions, isAdmin(me) && batch.status === 'reconciled'));
  }
  parts.push(await itemsSection(base));
  clear(container, ...parts);
}

async function paymentFileSection(base, batch, rerender) {
  const errors = h('div');
  let history;
  try {
    history = table(t('pay.downloads'), [
      { label: t('pay.downloadAt'), value: (d) => dateTime(d.at) },
      { label: t('pay.downloadBy'), value: (d) => d.actor },
      { label: 'SHA-256', value: (d) => h('code', { class: 'hash' }, d.fileSha256) },
    ], (await api.get(`${base}/downloads`)).items);
  } catch (error) {
    history = problem(error);
  }
  const button = actionButton(t('pay.download'), () => api.download(`${base}/payment-file`, `${batch.id}.csv`), {
    errorTarget: errors,
    onDone: async (name) => {
      toast(t('pay.downloaded', { name }));
      await rerender(null);
    },
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'pay-file' },
    h('h3', { id: 'pay-file' }, t('pay.file')),
    h('p', { class: 'hint' }, t('pay.fileHint')),
    button, errors,
    h('h4', {}, t('pay.downloads')),
    history);
}

function resultSection(base, batch, rerender) {
  const errors = h('div', { 'aria-live': 'polite' });
  return h('section', { class: 'panel upload-panel', 'aria-labelledby': 'pay-result' },
    h('h3', { id: 'pay-result' }, t('pay.result')),
    fileUpload({
      label: t('pay.resultFile'),
      hint: t('pay.resultHint'),
      accept: '.csv,text/csv',
      buttonLabel: t('pay.upload'),
      progressLabel: t('pay.progress'),
      chooseFirst: t('pay.chooseFile'),
      path: `${base}/result`,
      errorTarget: errors,
      onDone: async (outcome) => rerender(await followReconciliation(base, outcome)),
    }),
    errors);
}

/**
 * A new result is answered 202 while the cycle reconciles it step by step: follow the batch (the upload's Location)
 * until it is reconciled, then show the outcome with the upload's own `changed`.
 */
async function followReconciliation(base, outcome) {
  if (outcome?.batch?.status !== 'reconciling') {
    return outcome;
  }
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const detail = await api.get(base);
    if (detail.batch.status !== 'reconciling') {
      return { changed: outcome.changed, batch: detail.batch, exceptions: detail.exceptions };
    }
  }
}

function outcomeBox(outcome) {
  const result = outcome.batch?.result;
  const kinds = new Map();
  for (const e of outcome.exceptions ?? []) {
    kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
  }
  return h('div', { class: `alert ${outcome.changed ? 'alert-ok' : 'alert-info'}`, role: 'status', 'data-testid': 'outcome' },
    h('p', {}, h('strong', {}, t('pay.outcome')), ' ', outcome.changed ? batchStatus(outcome.batch) : t('pay.unchanged')),
    result ? h('ul', {},
      h('li', {}, t('pay.paidCount', { n: count(result.paid), amount: money(result.paidAmount) })),
      h('li', {}, t('pay.failedCount', { n: count(result.failed), amount: money(result.failedAmount) })),
      h('li', {}, t('pay.exceptionCount', { n: count(result.exceptions) })),
      [...kinds].map(([kind, n]) => h('li', {}, `${t(`pay.ex.${kind}`)}：${count(n)}`))) : null);
}

function exceptionSection(base, exceptions, canResolve) {
  const columns = [
    { label: t('pay.ex.kind'), value: (e) => badge(t(`pay.ex.${e.kind}`), 'bad') },
    { label: t('pay.ex.sequence'), class: 'num', value: (e) => e.sequence ?? '—' },
    { label: t('pay.ex.fileRow'), class: 'num', value: (e) => e.fileRow ?? '—' },
    { label: t('pay.ex.id'), value: (e) => e.maskedId ?? '—' },
    { label: t('pay.ex.batchAmount'), class: 'num', value: (e) => money(e.batchAmount) },
    { label: t('pay.ex.bankAmount'), class: 'num', value: (e) => money(e.bankAmount) },
    { label: t('pay.ex.bank'), value: (e) => [e.bankStatus, e.bankReason].filter(Boolean).join(' · ') || '—' },
  ];
  if (canResolve) {
    columns.push({ label: t('pay.resolve'), value: (e) => resolution(e) ?? (RESOLVABLE.includes(e.kind) && (e.itemSequence ?? e.sequence) ? resolveForm(base, e) : '—') });
  } else {
    columns.push({ label: t('pay.resolve'), value: (e) => resolution(e) ?? '—' });
  }
  return h('section', { class: 'panel', 'aria-labelledby': 'pay-exceptions' },
    h('h3', { id: 'pay-exceptions' }, t('pay.exceptions')),
    table(t('pay.exceptions'), columns, exceptions));
}

/** Kinds that put a row in doubt: the bureau settles them by asking the bank (the others need no word). */
const RESOLVABLE = ['notReturned', 'amountDiffers', 'idMismatch', 'contradictoryRows'];

function resolution(e) {
  if (!e.resolution) {
    return null;
  }
  return h('span', {}, badge(t(`pay.resolved.${e.resolution}`), 'ok'), ' ', h('span', { class: 'muted' }, [e.resolutionReason, e.resolvedBy, dateTime(e.resolvedAt)].filter(Boolean).join(' · ')));
}

function resolveForm(base, exception) {
  const outcome = h('select', {}, h('option', { value: 'paid' }, t('pay.resolvePaid')), h('option', { value: 'unpaid' }, t('pay.resolveUnpaid')));
  const reason = h('input', { type: 'text', maxlength: 500 });
  const errors = h('div');
  const box = h('div', { class: 'resolve-form' });
  const button = actionButton(t('pay.resolveButton'), () => api.post(`${base}/items/${exception.itemSequence ?? exception.sequence}/resolution`, { outcome: outcome.value, reason: reason.value }), {
    tone: 'secondary',
    errorTarget: errors,
    onDone: (answer) => clear(box, badge(t(`pay.resolved.${answer.outcome}`), 'ok')),
  });
  button.classList.add('btn-small');
  clear(box, field(t('pay.resolution'), outcome), field(t('pay.resolveReason'), reason), button, errors);
  return box;
}

async function itemsSection(base) {
  const columns = [
    { label: t('pay.seq'), class: 'num', value: (i) => i.sequence },
    { label: t('pay.name'), value: (i) => i.name },
    { label: t('pay.maskedId'), value: (i) => i.maskedId },
    { label: t('pay.school'), value: (i) => `${i.schoolName}（${i.schoolCode}）` },
    { label: t('pay.program'), value: (i) => programName(i.program) },
    { label: t('pay.amount'), class: 'num', value: (i) => money(i.amount) },
    { label: t('pay.backPayReason'), value: (i) => (i.backPay ? (i.backPayReason ? reasonText(i.backPayReason) : t('pay.kind.backpay')) : '—') },
  ];
  const holder = h('div');
  const sectionEl = h('section', { class: 'panel', 'aria-labelledby': 'pay-items' }, h('h3', { id: 'pay-items' }, t('pay.items')), holder);
  const rows = [];
  const load = async (token) => {
    try {
      const page = await api.get(`${base}/items?pageSize=200${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`);
      rows.push(...page.items);
      const more = page.continuationToken
        ? h('p', {}, actionButton(t('common.more'), () => load(page.continuationToken), { tone: 'secondary' }))
        : null;
      clear(holder, table(t('pay.items'), columns, rows), more);
    } catch (error) {
      clear(holder, problem(error));
    }
  };
  await load(null);
  return sectionEl;
}
