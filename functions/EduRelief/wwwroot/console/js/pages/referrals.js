// A county's 两后生 referrals (#/counties/{countyCode}/referrals): children of covered households who finished 初中 or
// 普通高中 grade 3 in spring and are in no school in autumn, referred to vocational school or skills training. The
// bureau records each outcome with its date; the list downloads as the workbook for the human-resources department.

import { t, strings } from '../i18n.js';
import { api, getAll } from '../api.js';
import { h, badge, clear, dateTime, field, problem, table, toast } from '../ui.js';

strings({
  zh: {
    'ref.title': '两后生转介（{code}）',
    'ref.lead': '春季学期在读初中或普通高中三年级、秋季学期未在任何学校名册中的建档立卡户子女，转介至中职、技工学校或技能培训。请在期限内登记每人的转介结果。',
    'ref.filter': '状态',
    'ref.all': '全部',
    'ref.open': '待转介',
    'ref.closed': '已登记结果',
    'ref.download': '下载转介名单（XLSX）',
    'ref.caption': '两后生转介名单',
    'ref.name': '姓名',
    'ref.idNumber': '身份证号（已脱敏）',
    'ref.place': '乡镇、村',
    'ref.school': '原就读学校',
    'ref.due': '登记期限',
    'ref.status': '状态',
    'ref.outcome': '转介结果',
    'ref.overdue': '已超期',
    'ref.record': '登记',
    'ref.outcomeLabel': '结果',
    'ref.date': '日期',
    'ref.note': '备注',
    'ref.saved': '已登记 {name} 的转介结果',
    'ref.none': '没有两后生转介。',
    'ref.out.vocational': '升入中职或技工学校',
    'ref.out.training': '参加技能培训',
    'ref.out.employed': '已就业',
    'ref.out.declined': '本人不愿参加',
    'ref.out.unreachable': '无法联系',
  },
  en: {
    'ref.title': '两后生 referrals ({code})',
    'ref.lead': 'Children of covered households who were in 初中 or 普通高中 grade 3 in spring and are in no school in autumn, referred to vocational school or skills training. Record each outcome before its deadline.',
    'ref.filter': 'Status',
    'ref.all': 'All',
    'ref.open': 'Awaiting an outcome',
    'ref.closed': 'Outcome recorded',
    'ref.download': 'Download the list (XLSX)',
    'ref.caption': '两后生 referrals',
    'ref.name': 'Name',
    'ref.idNumber': 'ID number (masked)',
    'ref.place': 'Township, village',
    'ref.school': 'School left',
    'ref.due': 'Due',
    'ref.status': 'Status',
    'ref.outcome': 'Outcome',
    'ref.overdue': 'Overdue',
    'ref.record': 'Record',
    'ref.outcomeLabel': 'Outcome',
    'ref.date': 'Date',
    'ref.note': 'Note',
    'ref.saved': 'Outcome recorded for {name}',
    'ref.none': 'No 两后生 referrals.',
    'ref.out.vocational': 'Vocational or technical school',
    'ref.out.training': 'Skills training',
    'ref.out.employed': 'Employed',
    'ref.out.declined': 'Declined',
    'ref.out.unreachable': 'Unreachable',
  },
});

const OUTCOMES = ['vocational', 'training', 'employed', 'declined', 'unreachable'];

export default async function render(page, { params, query, me }) {
  const code = params.countyCode;
  const status = ['open', 'closed'].includes(query.get('status')) ? query.get('status') : '';
  const base = `/api/counties/${encodeURIComponent(code)}/referrals`;
  const body = h('div');
  page.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/cycles' }, t('nav.cycles'))),
    h('h1', {}, t('ref.title', { code })),
    h('p', { class: 'lead' }, t('ref.lead')),
    toolbar(code, status, me),
    body);

  const load = async () => {
    try {
      const items = await getAll(`${base}?pageSize=1000${status ? `&status=${status}` : ''}`, 20000);
      clear(body, list(items, base, me, load));
    } catch (error) {
      clear(body, problem(error));
    }
  };
  await load();
}

function toolbar(code, status, me) {
  const select = h('select', { name: 'status' },
    [['', t('ref.all')], ['open', t('ref.open')], ['closed', t('ref.closed')]].map(([value, label]) => h('option', { value, selected: value === status }, label)));
  select.addEventListener('change', () => {
    location.hash = `#/counties/${encodeURIComponent(code)}/referrals${select.value ? `?status=${select.value}` : ''}`;
  });
  const download = me.role === 'school_officer' ? null : h('button', { type: 'button', class: 'btn btn-secondary' }, t('ref.download'));
  download?.addEventListener('click', () => api.download(`/api/counties/${encodeURIComponent(code)}/referrals.xlsx`, `${code}-两后生转介.xlsx`));
  return h('div', { class: 'toolbar' }, field(t('ref.filter'), select), download);
}

function list(items, base, me, reload) {
  return table(t('ref.caption'), [
    { label: t('ref.name'), value: (r) => r.name },
    { label: t('ref.idNumber'), value: (r) => h('code', {}, r.idNumber) },
    { label: t('ref.place'), value: (r) => [r.township, r.village].filter(Boolean).join(' ') || '—' },
    { label: t('ref.school'), value: (r) => `${r.schoolName} · ${r.stage} ${r.grade} 年级` },
    { label: t('ref.due'), value: (r) => [dateTime(r.dueAt), r.overdue ? [' ', badge(t('ref.overdue'), 'bad')] : null] },
    { label: t('ref.status'), value: (r) => badge(r.statusLabel, r.status === 'open' ? 'warn' : 'ok') },
    { label: t('ref.outcome'), value: (r) => (me.role === 'bureau_admin' ? outcomeForm(r, base, reload) : outcomeText(r)) },
  ], items, { empty: t('ref.none'), rowAttrs: (r) => ({ 'data-id': r.id }) });
}

function outcomeText(r) {
  return r.outcome ? `${t(`ref.out.${r.outcome}`)}（${r.outcomeDate}）${r.note ? `：${r.note}` : ''}` : '—';
}

/** The outcome as recorded, and a small form to record it (or a later one). */
function outcomeForm(r, base, reload) {
  const outcome = h('select', { name: 'outcome' }, OUTCOMES.map((o) => h('option', { value: o, selected: o === r.outcome }, t(`ref.out.${o}`))));
  const date = h('input', { type: 'date', name: 'date', value: r.outcomeDate ?? '' });
  const note = h('input', { name: 'note', value: r.note ?? '', maxlength: 500 });
  const errors = h('div', { class: 'form-errors' });
  const form = h('form', { class: 'referral-outcome' },
    r.outcome ? h('p', {}, outcomeText(r)) : null,
    field(t('ref.outcomeLabel'), outcome), field(t('ref.date'), date), field(t('ref.note'), note),
    h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, t('ref.record')),
    errors);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.post(`${base}/${encodeURIComponent(r.id)}/outcome`, { outcome: outcome.value, date: date.value, note: note.value });
      toast(t('ref.saved', { name: r.name }));
      await reload();
    } catch (error) {
      errors.replaceChildren(problem(error));
    }
  });
  return form;
}
