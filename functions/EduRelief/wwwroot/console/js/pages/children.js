// The county's children across semesters (#/counties/{countyCode}/children): find a child by ID number (sent in the
// request body, never in the address), by name and school, by village or by status, then open the child's timeline:
// school, stage, grade, eligibility, entitlements and payment in every cycle. A school officer finds its own pupils.

import { t, strings } from '../i18n.js';
import { api } from '../api.js';
import { h, badge, clear, dateTime, field, money, problem, table } from '../ui.js';

strings({
  zh: {
    'kids.title': '学生档案（{code}）',
    'kids.lead': '跨学期查看建档立卡户子女：每个资助周期的学校、学段年级、资助资格、资助项目与发放情况。身份证号只在查询请求中发送，不出现在网址中。',
    'kids.by': '查询方式',
    'kids.by.idNumber': '按身份证号',
    'kids.by.name': '按姓名和学校',
    'kids.by.village': '按村',
    'kids.by.status': '按本学期状态',
    'kids.idNumber': '身份证号',
    'kids.name': '姓名',
    'kids.schoolCode': '学校标识码',
    'kids.village': '村',
    'kids.status': '状态',
    'kids.search': '查询',
    'kids.caption': '查询结果',
    'kids.none': '没有找到学生。',
    'kids.school': '学校',
    'kids.stageGrade': '学段年级',
    'kids.place': '乡镇、村',
    'kids.latest': '最近周期',
    'kids.open': '查看档案',
    'kids.timeline': '{name} 的跨学期档案',
    'kids.cycle': '资助周期',
    'kids.eligible': '资助资格',
    'kids.entitlements': '资助项目与发放',
    'kids.yes': '符合',
    'kids.no': '不符合',
    'kids.transferredFrom': '由 {school} 转入',
    'kids.absentAge': '未在任何学校名册中（{age} 岁）',
    'kids.st.eligible': '符合资助条件',
    'kids.st.pendingReview': '姓名待核',
    'kids.st.transferred': '转学',
    'kids.st.absent': '适龄未在校',
    'kids.pay.pending': '待发放',
    'kids.pay.paid': '已发放',
    'kids.pay.failed': '发放失败',
    'kids.pay.inDoubt': '待核实',
    'kids.pay.held': '暂缓',
    'kids.pay.cancelled': '已取消',
    'kids.pay.none': '尚未生成批次',
  },
  en: {
    'kids.title': 'Children ({code})',
    'kids.lead': 'Children of covered households across semesters: school, stage and grade, eligibility, programs and payments in every aid cycle. An ID number is sent only in the search request, never in the address.',
    'kids.by': 'Search by',
    'kids.by.idNumber': 'ID number',
    'kids.by.name': 'Name and school',
    'kids.by.village': 'Village',
    'kids.by.status': 'Status this semester',
    'kids.idNumber': 'ID number',
    'kids.name': 'Name',
    'kids.schoolCode': 'School code',
    'kids.village': 'Village',
    'kids.status': 'Status',
    'kids.search': 'Search',
    'kids.caption': 'Results',
    'kids.none': 'No child found.',
    'kids.school': 'School',
    'kids.stageGrade': 'Stage and grade',
    'kids.place': 'Township, village',
    'kids.latest': 'Latest cycle',
    'kids.open': 'Open',
    'kids.timeline': 'Across semesters: {name}',
    'kids.cycle': 'Aid cycle',
    'kids.eligible': 'Eligible',
    'kids.entitlements': 'Programs and payments',
    'kids.yes': 'Yes',
    'kids.no': 'No',
    'kids.transferredFrom': 'Transferred from {school}',
    'kids.absentAge': 'In no school roster (aged {age})',
    'kids.st.eligible': 'Eligible',
    'kids.st.pendingReview': 'Name to confirm',
    'kids.st.transferred': 'Transferred',
    'kids.st.absent': 'School-age, absent',
    'kids.pay.pending': 'Pending',
    'kids.pay.paid': 'Paid',
    'kids.pay.failed': 'Failed',
    'kids.pay.inDoubt': 'In doubt',
    'kids.pay.held': 'Held',
    'kids.pay.cancelled': 'Cancelled',
    'kids.pay.none': 'Not yet in a batch',
  },
});

const SHAPES = ['idNumber', 'name', 'village', 'status'];
const STATUSES = ['eligible', 'pendingReview', 'transferred', 'absent'];

export default async function render(page, { params }) {
  await import('./cycle-overview.js'); // the programs' names
  const code = params.countyCode;
  const results = h('div', { class: 'children-results' });
  const timeline = h('div', { class: 'children-timeline' });
  page.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/cycles' }, t('nav.cycles'))),
    h('h1', {}, t('kids.title', { code })),
    h('p', { class: 'lead' }, t('kids.lead')),
    searchForm(code, results, timeline),
    results,
    timeline);
}

function searchForm(code, results, timeline) {
  const by = h('select', { name: 'by' }, SHAPES.map((s) => h('option', { value: s }, t(`kids.by.${s}`))));
  const inputs = {
    idNumber: field(t('kids.idNumber'), h('input', { name: 'idNumber', autocomplete: 'off' })),
    name: field(t('kids.name'), h('input', { name: 'name', autocomplete: 'off' })),
    schoolCode: field(t('kids.schoolCode'), h('input', { name: 'schoolCode', autocomplete: 'off', inputmode: 'numeric' })),
    village: field(t('kids.village'), h('input', { name: 'village', autocomplete: 'off' })),
    status: field(t('kids.status'), h('select', { name: 'status' }, STATUSES.map((s) => h('option', { value: s }, t(`kids.st.${s}`))))),
  };
  const shown = { idNumber: ['idNumber'], name: ['name', 'schoolCode'], village: ['village'], status: ['status'] };
  const show = () => Object.entries(inputs).forEach(([key, element]) => { element.hidden = !shown[by.value].includes(key); });
  by.addEventListener('change', show);
  show();
  const form = h('form', { class: 'toolbar children-search' }, field(t('kids.by'), by), Object.values(inputs),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('kids.search')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(shown[by.value].map((key) => [key, form.querySelector(`[name=${key}]`).value.trim()]));
    clear(timeline);
    try {
      const answer = await api.post(`/api/counties/${encodeURIComponent(code)}/children/search?pageSize=200`, body);
      clear(results, list(code, answer.items, timeline));
    } catch (error) {
      clear(results, problem(error));
    }
  });
  return h('section', { class: 'panel' }, form);
}

function list(code, items, timeline) {
  return table(t('kids.caption'), [
    { label: t('kids.name'), value: (c) => c.name },
    { label: t('kids.idNumber'), value: (c) => h('code', {}, c.idNumber) },
    { label: t('kids.school'), value: (c) => c.schoolName },
    { label: t('kids.stageGrade'), value: (c) => (c.stage ? `${c.stage} ${c.grade} 年级` : '—') },
    { label: t('kids.place'), value: (c) => [c.township, c.village].filter(Boolean).join(' ') || '—' },
    { label: t('kids.latest'), value: (c) => [c.latestCycle, ' ', badge(t(`kids.st.${c.status}`), c.status === 'absent' ? 'bad' : 'info'), c.transferred ? [' ', badge(t('kids.st.transferred'), 'warn')] : null] },
    {
      label: t('kids.open'),
      value: (c) => {
        const button = h('button', { type: 'button', class: 'btn btn-secondary btn-small' }, t('kids.open'));
        button.addEventListener('click', () => showTimeline(code, c.id, timeline));
        return button;
      },
    },
  ], items, { empty: t('kids.none') });
}

async function showTimeline(code, id, holder) {
  try {
    const { child, timeline } = await api.get(`/api/counties/${encodeURIComponent(code)}/children/${encodeURIComponent(id)}`);
    clear(holder, h('section', { class: 'panel', 'aria-labelledby': 'kids-timeline', 'data-testid': 'timeline' },
      h('h2', { id: 'kids-timeline' }, t('kids.timeline', { name: child.name })),
      table(t('kids.timeline', { name: child.name }), [
        { label: t('kids.cycle'), value: (e) => [e.cycleId, ' ', badge(t(`kids.st.${e.status}`), e.status === 'absent' ? 'bad' : 'info')] },
        { label: t('kids.school'), value: (e) => (e.schoolName ? [e.schoolName, e.transferredFrom ? h('div', { class: 'muted' }, t('kids.transferredFrom', { school: e.transferredFrom })) : null] : t('kids.absentAge', { age: e.age })) },
        { label: t('kids.stageGrade'), value: (e) => (e.stage ? `${e.stage} ${e.grade} 年级${e.boarding ? '（住校）' : ''}` : '—') },
        { label: t('kids.eligible'), value: (e) => badge(t(e.eligible ? 'kids.yes' : 'kids.no'), e.eligible ? 'ok' : 'muted') },
        {
          label: t('kids.entitlements'),
          value: (e) => (e.entitlements.length
            ? h('ul', {}, e.entitlements.map((x) => h('li', {}, `${t(`program.${x.program}`)} ${money(x.amount)} · ${t(`kids.pay.${x.paymentStatus ?? 'none'}`)}${x.paidAt ? `（${dateTime(x.paidAt)}）` : ''}`)))
            : '—'),
        },
      ], timeline)));
    holder.scrollIntoView?.({ block: 'start' });
  } catch (error) {
    clear(holder, problem(error));
  }
}
