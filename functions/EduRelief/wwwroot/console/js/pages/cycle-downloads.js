// The cycle's "downloads" tab (台账下载): the aid ledger, the fund disclosure and the rectification ledger, each with
// who may download it and what it holds. The API decides; a file the signed-in role may not have is shown as such
// rather than offered.

import { t, strings } from '../i18n.js';
import { api } from '../api.js';
import { h, badge, actionButton, toast } from '../ui.js';

strings({
  zh: {
    'dl.title': '台账下载',
    'dl.lead': '以下文件在下载时按当前数据生成，均不含完整身份证号。',
    'dl.ledger': '资助台账',
    'dl.ledger.what': '每名学生每个资助项目一行（每个项目一个工作表）：学校、姓名、脱敏身份证号、学段、年级、是否住校、金额、来源、发放状态、批次、发放日期；另有“控辍保学”工作表列出未在学籍名册中的适龄儿童（脱敏）。',
    'dl.ledger.when': '核验完成后可下载。',
    'dl.disclosure': '资金发放公示表',
    'dl.disclosure.what': '按学校和资助项目汇总的受助人数与发放金额，以及合计。不含任何个人信息，可直接对外公示。',
    'dl.disclosure.when': '开始发放后数据才有意义；只统计已到账的款项。',
    'dl.rectification': '整改台账',
    'dl.rectification.what': '每个整改事项一行：整改编号、问题来源、问题描述、学生姓名、责任单位、整改时限、状态、是否逾期、整改情况/备注、佐证材料数、完成时间。',
    'dl.rectification.when': '随时可下载，反映下载时的状态。',
    'dl.who': '可下载：{roles}',
    'dl.file': '文件名：{name}',
    'dl.notYou': '您的账号不能下载此文件。',
    'dl.button': '下载{what}',
    'dl.done': '已下载 {name}',
  },
  en: {
    'dl.title': 'Downloads',
    'dl.lead': 'These files are generated from the current data when you download them. None carries a full ID number.',
    'dl.ledger': 'Aid ledger',
    'dl.ledger.what': 'One row per student per program (a worksheet per program): school, name, masked ID number, stage, grade, boarding, amount, source, payment status, batch, date paid; plus a “控辍保学” worksheet of school-age children missing from the student roster (masked).',
    'dl.ledger.when': 'Available once verification has completed.',
    'dl.disclosure': 'Fund disclosure',
    'dl.disclosure.what': 'Recipients and amount paid per school and program, with totals. No personal data: it can be published as it is.',
    'dl.disclosure.when': 'Meaningful once payments start; counts money paid only.',
    'dl.rectification': 'Rectification ledger',
    'dl.rectification.what': 'One row per rectification item: number, source, description, student name, owner, deadline, status, overdue, what was done, evidence count, completion date.',
    'dl.rectification.when': 'Always available; shows the state at download time.',
    'dl.who': 'Who may download: {roles}',
    'dl.file': 'File name: {name}',
    'dl.notYou': 'Your account cannot download this file.',
    'dl.button': 'Download {what}',
    'dl.done': 'Downloaded {name}',
  },
});

/** The files and who may have them: the roles mirror the endpoints' policies (Inspection: admin and inspectors; Staff: everyone). */
const FILES = [
  { key: 'ledger', path: 'ledger.xlsx', roles: ['bureau_admin', 'inspector'] },
  { key: 'disclosure', path: 'disclosure.xlsx', roles: ['bureau_admin', 'inspector', 'school_officer'] },
  { key: 'rectification', path: 'rectification.xlsx', roles: ['bureau_admin', 'inspector'] },
];

export default async function render(container, { cycle, me }) {
  const base = `/api/cycles/${encodeURIComponent(cycle.id)}`;
  container.append(
    h('h2', {}, t('dl.title')),
    h('p', { class: 'lead' }, t('dl.lead')),
    h('div', { class: 'grid downloads' }, FILES.map((file) => fileCard(base, cycle, me, file))));
}

function fileCard(base, cycle, me, file) {
  const allowed = file.roles.includes(me.role);
  const name = `${cycle.id}-${file.path}`;
  const title = t(`dl.${file.key}`);
  const errors = h('div', { 'aria-live': 'polite' });
  return h('section', { class: 'panel download-card', 'aria-labelledby': `dl-${file.key}`, 'data-testid': `download-${file.key}` },
    h('h3', { id: `dl-${file.key}` }, title),
    h('p', {}, t(`dl.${file.key}.what`)),
    h('p', { class: 'hint' }, t(`dl.${file.key}.when`)),
    h('p', { class: 'hint' }, t('dl.who', { roles: file.roles.map((r) => t(`role.${r}`)).join('、') })),
    h('p', { class: 'hint' }, t('dl.file', { name })),
    allowed
      ? actionButton(t('dl.button', { what: title }), () => api.download(`${base}/${file.path}`, name), {
        errorTarget: errors,
        onDone: (saved) => toast(t('dl.done', { name: saved })),
      })
      : h('p', {}, badge(t('dl.notYou'), 'muted')),
    errors);
}
