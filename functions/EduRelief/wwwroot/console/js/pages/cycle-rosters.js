// The cycle's "rosters" tab (bureau administrators): upload the student roster and the poverty registry with a
// progress bar, see what was accepted (rows, format, sha256), follow verification until it is done, and fix a file
// from its errors listed by row and column: the upload's own refusal (a file that cannot be read at all) and, after
// verification, the rows it could not use (the import report: invalid rows and ID numbers, duplicates).

import { t, strings, lang } from '../i18n.js';
import { api, getAll, ApiError, allows } from '../api.js';
import { h, badge, count, dateTime, facts, field, table, problem, toast } from '../ui.js';

strings({
  zh: {
    'rosters.students': '学籍名册',
    'rosters.poverty': '建档立卡名册',
    'rosters.studentsHint': '学籍系统导出的学生名册：CSV（UTF-8 或 GBK）或 XLSX（第一个工作表）。必需列：姓名、身份证号、学校标识码、学校名称、学段、年级、是否住校、备注。',
    'rosters.povertyHint': '防返贫监测系统导出的名册：CSV 或 XLSX。必需列：序号、户编号、姓名、身份证号、乡镇、村、人员类别。',
    'rosters.outside': '外地就学名单',
    'rosters.outsideHint': '可选：在县外就读的建档立卡户子女，CSV 或 XLSX。必需列：姓名、身份证号、就读省市、就读学校、学段、年级。名单中的孩子计为在学，不作为适龄未入学跟进；每一行都必须可用，否则整份名单不接收。',
    'rosters.file': '选择{kind}文件',
    'rosters.upload': '上传{kind}',
    'rosters.replace': '重新上传{kind}',
    'rosters.chooseFirst': '请先选择一个文件。',
    'rosters.progress': '{kind}上传进度',
    'rosters.uploading': '正在上传…',
    'rosters.accepted': '已接收：{rows} 行，{format} 格式。',
    'rosters.current': '当前{kind}',
    'rosters.none': '尚未上传。',
    'rosters.fileName': '文件名',
    'rosters.rows': '数据行数',
    'rosters.format': '格式',
    'rosters.sha256': 'SHA-256 校验值',
    'rosters.uploadedAt': '上传时间',
    'rosters.uploadedBy': '上传人',
    'rosters.closed': '本周期已进入“{stage}”阶段，名册不能再更换（审核结束前可以更换）。',
    'rosters.rejected': '文件未被接收，周期数据没有任何改动。请按下表逐行逐列修改后重新上传。',
    'rosters.errorsCaption': '{kind}文件中的错误',
    'rosters.where': '位置',
    'rosters.problem': '问题',
    'rosters.row': '第 {n} 行',
    'rosters.column': '“{name}”列',
    'rosters.wholeFile': '整个文件',
    'rosters.columnHead': '列',
    'rosters.status': '核验进度',
    'rosters.status.waitingOther': '已收到{kind}，等待另一份名册。',
    'rosters.status.verifying': '两份名册已齐，正在核验…',
    'rosters.status.completed': '核验已完成（{at}）。',
    'rosters.status.failed': '核验失败：{error}',
    'rosters.status.none': '两份名册都上传后自动开始核验。',
    'rosters.verified': '核验完成，可到“核验与审核”处理问题。',
    'rosters.verifyFailed': '核验未能完成，请在概况页查看原因。',
    'rosters.report': '导入报告：不能使用的行',
    'rosters.reportHint': '以下行未参与核验。请在原文件中按行号和列名修改后重新上传对应名册。',
    'rosters.reportCaption': '{kind}中不能使用的行',
    'rosters.reportNone': '{kind}的每一行都可以使用。',
    'rosters.name': '姓名',
    'rosters.idNumber': '身份证号（已脱敏）',
    'rosters.kind': '问题类型',
    'rosters.toReview': '去处理核验问题',
  },
  en: {
    'rosters.students': 'student roster',
    'rosters.poverty': 'poverty registry',
    'rosters.studentsHint': 'The student registry export: CSV (UTF-8 or GBK) or XLSX (first worksheet). Required columns: 姓名, 身份证号, 学校标识码, 学校名称, 学段, 年级, 是否住校, 备注.',
    'rosters.povertyHint': 'The poverty registry export: CSV or XLSX. Required columns: 序号, 户编号, 姓名, 身份证号, 乡镇, 村, 人员类别.',
    'rosters.outside': '外地就学 list',
    'rosters.outsideHint': 'Optional: children of covered households studying outside the county, CSV or XLSX. Required columns: 姓名, 身份证号, 就读省市, 就读学校, 学段, 年级. They count as enrolled, not as school-age children out of school; every row must be usable or the list is refused.',
    'rosters.file': 'Choose the {kind} file',
    'rosters.upload': 'Upload the {kind}',
    'rosters.replace': 'Upload the {kind} again',
    'rosters.chooseFirst': 'Choose a file first.',
    'rosters.progress': 'Upload progress of the {kind}',
    'rosters.uploading': 'Uploading…',
    'rosters.accepted': 'Accepted: {rows} rows, {format}.',
    'rosters.current': 'Current {kind}',
    'rosters.none': 'Not uploaded yet.',
    'rosters.fileName': 'File name',
    'rosters.rows': 'Data rows',
    'rosters.format': 'Format',
    'rosters.sha256': 'SHA-256',
    'rosters.uploadedAt': 'Uploaded',
    'rosters.uploadedBy': 'Uploaded by',
    'rosters.closed': 'The cycle is in stage "{stage}"; rosters can be replaced only until review ends.',
    'rosters.rejected': 'The file was not accepted and nothing changed. Fix it row by row and column by column as listed below, then upload it again.',
    'rosters.errorsCaption': 'Errors in the {kind} file',
    'rosters.where': 'Where',
    'rosters.problem': 'Problem',
    'rosters.row': 'Row {n}',
    'rosters.column': 'Column "{name}"',
    'rosters.wholeFile': 'Whole file',
    'rosters.columnHead': 'Column',
    'rosters.status': 'Verification',
    'rosters.status.waitingOther': 'The {kind} is in; waiting for the other roster.',
    'rosters.status.verifying': 'Both rosters are in; verifying…',
    'rosters.status.completed': 'Verification completed ({at}).',
    'rosters.status.failed': 'Verification failed: {error}',
    'rosters.status.none': 'Verification starts once both rosters are uploaded.',
    'rosters.verified': 'Verification completed; see "Verification & review" for what it found.',
    'rosters.verifyFailed': 'Verification did not complete; see the overview for why.',
    'rosters.report': 'Import report: rows that cannot be used',
    'rosters.reportHint': 'These rows took no part in verification. Fix them in the original file by row and column, then upload that roster again.',
    'rosters.reportCaption': 'Rows of the {kind} that cannot be used',
    'rosters.reportNone': 'Every row of the {kind} can be used.',
    'rosters.name': 'Name',
    'rosters.idNumber': 'ID number (masked)',
    'rosters.kind': 'Issue',
    'rosters.toReview': 'Go to the discrepancies',
  },
});

const KINDS = ['students', 'poverty'];
/** The two rosters verification needs, then the optional 外地就学 list it reads when there. */
const UPLOADS = [...KINDS, 'outside'];
const REPORT_KINDS = ['invalidRow', 'invalidId', 'duplicateId'];
const POLL_MS = 1500;

/** "row:12" → 第 12 行, "column:学段" → “学段”列, "file" → 整个文件; row and column together when the message names the column. */
export function errorRows(error) {
  return error.fieldErrors.map(([key, message]) => {
    const [scope, value] = key.includes(':') ? [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)] : [key, ''];
    let where;
    if (scope === 'row') {
      where = t('rosters.row', { n: value });
    } else if (scope === 'column') {
      where = t('rosters.column', { name: value });
    } else {
      where = t('rosters.wholeFile');
    }
    return { where, message };
  });
}

function rosterFacts(roster) {
  return facts([
    roster.fileName ? [t('rosters.fileName'), roster.fileName] : null,
    [t('rosters.rows'), count(roster.rows)],
    [t('rosters.format'), String(roster.format ?? '').toUpperCase()],
    [t('rosters.sha256'), h('code', { class: 'sha' }, roster.sha256)],
    roster.uploadedAt ? [t('rosters.uploadedAt'), dateTime(roster.uploadedAt)] : null,
    roster.uploadedBy ? [t('rosters.uploadedBy'), roster.uploadedBy] : null,
  ]);
}

function statusText(cycle, lastKind) {
  const v = cycle.verification;
  const both = KINDS.every((k) => cycle.rosters?.[k]);
  if (!both) {
    return lastKind ? t('rosters.status.waitingOther', { kind: t(`rosters.${lastKind}`) }) : t('rosters.status.none');
  }
  if (v?.status === 'completed' && cycle.stage !== 'verifying') {
    return t('rosters.status.completed', { at: dateTime(v.completedAt) });
  }
  if (v?.status === 'failed') {
    return t('rosters.status.failed', { error: (lang() === 'en' && v.errorEn) || v.error || '' });
  }
  return t('rosters.status.verifying');
}

function uploadPanel(kind, cycle, { onAccepted }) {
  const name = t(`rosters.${kind}`);
  const open = allows(cycle, 'uploadRosters');
  const roster = cycle.rosters?.[kind];
  const input = h('input', { type: 'file', name: `${kind}-file`, accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', disabled: !open });
  const progress = h('progress', { max: '1', value: '0', 'aria-label': t('rosters.progress', { kind: name }), hidden: true });
  const outcome = h('div', { class: 'upload-outcome', 'aria-live': 'polite' });
  const current = h('div', { class: 'roster-current' }, roster ? rosterFacts(roster) : h('p', { class: 'empty' }, t('rosters.none')));
  const button = h('button', { type: 'submit', class: 'btn btn-primary', disabled: !open }, t(roster ? 'rosters.replace' : 'rosters.upload', { kind: name }));

  const form = h('form', { class: 'upload', 'aria-labelledby': `roster-${kind}-title` },
    field(t('rosters.file', { kind: name }), input, t(`rosters.${kind}Hint`)),
    h('div', { class: 'form-actions upload-actions' }, button),
    progress,
    outcome);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = input.files?.[0];
    if (!file) {
      outcome.replaceChildren(h('p', { class: 'alert alert-warn', role: 'alert' }, t('rosters.chooseFirst')));
      input.focus();
      return;
    }
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    outcome.replaceChildren(h('p', { class: 'muted' }, t('rosters.uploading')));
    try {
      const accepted = await api.upload('PUT', `/api/cycles/${encodeURIComponent(cycle.id)}/rosters/${kind}`, file, (fraction) => { progress.value = fraction; });
      outcome.replaceChildren(h('p', { class: 'alert alert-ok' }, badge(t('common.done'), 'ok'), ' ', t('rosters.accepted', { rows: count(accepted.rows), format: String(accepted.format).toUpperCase() })));
      current.replaceChildren(rosterFacts({ ...accepted, fileName: file.name }));
      form.reset();
      await onAccepted(kind);
    } catch (error) {
      progress.hidden = true;
      outcome.replaceChildren(...rejection(error, name));
    } finally {
      button.disabled = false;
    }
  });

  return h('section', { class: 'panel roster-panel', dataset: { kind } },
    h('h3', { id: `roster-${kind}-title` }, t(`rosters.${kind}`)),
    h('h4', {}, t('rosters.current', { kind: name })),
    current,
    open ? form : null);
}

/** The refusal: the problem in words, then every row and column error in a table to fix the file from. */
function rejection(error, name) {
  if (!(error instanceof ApiError) || error.status !== 400 || !error.fieldErrors.length) {
    return [problem(error)];
  }
  return [
    h('div', { class: 'alert alert-bad', role: 'alert' },
      h('p', {}, badge(t('error.title'), 'bad'), ' ', t('rosters.rejected')),
      h('p', {}, [error.problem.title, error.problem.detail].filter(Boolean).join(' — '))),
    table(t('rosters.errorsCaption', { kind: name }), [
      { label: t('rosters.where'), value: (r) => r.where },
      { label: t('rosters.problem'), value: (r) => r.message },
    ], errorRows(error)),
  ];
}

/** The import report of the current verification: per file, the rows it could not use, with row, column and reason. */
async function importReport(cycle) {
  if (cycle.verification?.status !== 'completed') {
    return null;
  }
  const base = `/api/cycles/${encodeURIComponent(cycle.id)}/discrepancies?pageSize=1000`;
  const lists = await Promise.all(REPORT_KINDS.map((kind) => getAll(`${base}&kind=${kind}`, 5000)));
  const items = lists.flat();
  return h('section', { class: 'panel' },
    h('h3', {}, t('rosters.report')),
    h('p', { class: 'hint' }, t('rosters.reportHint')),
    KINDS.map((file) => {
      const rows = items.filter((d) => d.file === file)
        .sort((a, b) => ((a.studentRow ?? a.povertyRow) - (b.studentRow ?? b.povertyRow)));
      const name = t(`rosters.${file}`);
      return [
        h('h4', {}, name),
        rows.length
          ? table(t('rosters.reportCaption', { kind: name }), [
            { label: t('rosters.where'), value: (d) => t('rosters.row', { n: d.studentRow ?? d.povertyRow }) },
            { label: t('rosters.columnHead'), value: (d) => d.column ?? '—' },
            { label: t('rosters.kind'), value: (d) => badge(t(`kind.${d.kind}`), 'bad') },
            { label: t('rosters.problem'), value: (d) => d.reason },
            { label: t('rosters.name'), value: (d) => d.studentName ?? d.povertyName ?? '—' },
            { label: t('rosters.idNumber'), value: (d) => d.idNumber ?? '—' },
          ], rows)
          : h('p', { class: 'empty' }, t('rosters.reportNone', { kind: name })),
      ];
    }),
    h('p', {}, h('a', { href: `#/cycles/${encodeURIComponent(cycle.id)}/review` }, t('rosters.toReview'))));
}

export default async function render(container, { cycle, refresh }) {
  await import('./cycle-overview.js'); // the discrepancy kinds' names
  const open = allows(cycle, 'uploadRosters');
  const status = h('p', { class: 'roster-status', role: 'status', 'aria-live': 'polite' }, statusText(cycle));
  let watching = false;

  /** Follows the cycle until verification is done (or waits for the other roster), then shows the new state. */
  async function follow(kind) {
    if (watching) {
      return;
    }
    watching = true;
    try {
      for (;;) {
        const latest = await api.get(`/api/cycles/${encodeURIComponent(cycle.id)}`);
        status.textContent = statusText(latest, kind);
        const both = KINDS.every((k) => latest.rosters?.[k]);
        const done = latest.stage !== 'verifying' && latest.verification?.status === 'completed';
        if (!both || !container.isConnected) {
          return;
        }
        if (done || latest.verification?.status === 'failed') {
          if (container.isConnected) {
            toast(t(done ? 'rosters.verified' : 'rosters.verifyFailed'), done ? 'ok' : 'bad');
            await refresh();
          }
          return;
        }
        await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
      }
    } finally {
      watching = false;
    }
  }

  container.append(...[
    h('h2', {}, t('tab.rosters')),
    open ? null : h('p', { class: 'alert alert-info' }, t('rosters.closed', { stage: t(`stage.${cycle.stage}`) })),
    h('section', { class: 'panel' }, h('h3', {}, t('rosters.status')), status),
    h('div', { class: 'roster-grid' }, UPLOADS.map((kind) => uploadPanel(kind, cycle, { onAccepted: follow }))),
  ].filter(Boolean));

  try {
    const report = await importReport(cycle);
    if (report) {
      container.append(report);
    }
  } catch (error) {
    container.append(problem(error));
  }
  if (cycle.stage === 'verifying') {
    // Last, so that the page is on screen (the router shows it once this returns) before the first look.
    follow(null);
  }
}
