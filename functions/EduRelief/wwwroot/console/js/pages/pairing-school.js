// 结对帮扶 of a cycle (#/pairing/{cycleId}?school=…): the county's 入户走访率 by school as a chart and a table, and one
// school's pairings: the automatic proposal, and each child's teacher changed in their row. The bureau picks the
// school; a school officer sees their own. The API decides what each may see and do.

import { t, strings } from '../i18n.js';
import { api, getAll } from '../api.js';
import { h, actionButton, barChart, clear, field, problem, table, toast } from '../ui.js';

strings({
  zh: {
    'ps.title': '结对帮扶与家访（{id}）',
    'ps.coverage': '入户走访率（%）',
    'ps.caption': '各校入户走访率',
    'ps.school': '学校',
    'ps.children': '应结对学生',
    'ps.paired': '已结对',
    'ps.visited': '本学期已家访',
    'ps.rate': '入户走访率',
    'ps.missedMonths': '缺家访（人·月）',
    'ps.pick': '查看学校',
    'ps.pairings': '{school} 的结对',
    'ps.propose': '自动结对',
    'ps.proposed': '已为 {n} 名学生结对',
    'ps.name': '姓名',
    'ps.grade': '年级',
    'ps.groups': '特殊群体',
    'ps.teacher': '结对教师',
    'ps.teacherOf': '{name} 的结对教师',
    'ps.none': '（未结对）',
    'ps.saved': '已更新 {name} 的结对教师',
    'ps.noChildren': '本校本周期没有需要结对的学生。',
  },
  en: {
    'ps.title': 'Pairing and home visits ({id})',
    'ps.coverage': 'Home visit rate (%)',
    'ps.caption': 'Home visit rate by school',
    'ps.school': 'School',
    'ps.children': 'Children to pair',
    'ps.paired': 'Paired',
    'ps.visited': 'Visited this semester',
    'ps.rate': 'Home visit rate',
    'ps.missedMonths': 'Months without a visit',
    'ps.pick': 'School',
    'ps.pairings': 'Pairings at {school}',
    'ps.propose': 'Propose pairings',
    'ps.proposed': '{n} children paired',
    'ps.name': 'Name',
    'ps.grade': 'Grade',
    'ps.groups': 'Special groups',
    'ps.teacher': 'Teacher',
    'ps.teacherOf': 'Teacher of {name}',
    'ps.none': '(not paired)',
    'ps.saved': 'Teacher changed for {name}',
    'ps.noChildren': 'No children to pair at this school in this cycle.',
  },
});

export default async function render(page, { params, query, refresh }) {
  const id = params.cycleId;
  const coverage = await api.get(`/api/cycles/${encodeURIComponent(id)}/pairings/coverage`);
  const schools = coverage.schools;
  const chosen = schools.find((s) => s.schoolCode === query.get('school')) ?? schools[0];
  page.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/cycles' }, t('nav.cycles')), ' / ', h('a', { href: `#/cycles/${encodeURIComponent(id)}` }, id)),
    h('h1', {}, t('ps.title', { id })),
    barChart(t('ps.coverage'), schools.map((s) => ({ label: s.schoolName || s.schoolCode, value: s.visitRate ?? 0, tone: s.visitRate === 100 ? 'ok' : 'warn' }))),
    table(t('ps.caption'), [
      { label: t('ps.school'), value: (s) => s.schoolName || s.schoolCode },
      { label: t('ps.children'), value: (s) => s.children },
      { label: t('ps.paired'), value: (s) => s.pairedChildren },
      { label: t('ps.visited'), value: (s) => s.visitedChildren },
      { label: t('ps.rate'), value: (s) => (s.visitRate === null ? '—' : `${s.visitRate}%`) },
      { label: t('ps.missedMonths'), value: (s) => s.missedMonths },
    ], schools));
  if (!chosen) {
    return;
  }

  const picker = h('select', {}, schools.map((s) => h('option', { value: s.schoolCode, selected: s === chosen }, s.schoolName || s.schoolCode)));
  picker.addEventListener('change', () => { location.hash = `#/pairing/${encodeURIComponent(id)}?school=${picker.value}`; });
  const base = `/api/cycles/${encodeURIComponent(id)}/schools/${chosen.schoolCode}/pairings`;
  const errors = h('div', { role: 'alert' });
  const body = h('div');
  page.append(
    h('h2', {}, t('ps.pairings', { school: chosen.schoolName || chosen.schoolCode })),
    h('div', { class: 'toolbar' }, schools.length > 1 ? field(t('ps.pick'), picker) : null,
      actionButton(t('ps.propose'), () => api.post(`${base}/propose`), { errorTarget: errors, onDone: async (answer) => { toast(t('ps.proposed', { n: answer.proposed })); await refresh(); } })),
    errors,
    body);
  try {
    const county = id.split('-')[0];
    const [pairings, teachers] = await Promise.all([getAll(`${base}?pageSize=1000`, 5000), getAll(`/api/counties/${county}/schools/${chosen.schoolCode}/teachers?pageSize=1000`, 5000)]);
    clear(body, table(t('ps.pairings', { school: chosen.schoolName || chosen.schoolCode }), [
      { label: t('ps.name'), value: (c) => c.name },
      { label: t('ps.grade'), value: (c) => `${c.stage ?? ''} ${c.grade ?? ''}` },
      { label: t('ps.groups'), value: (c) => c.groups.join('、') || '—' },
      { label: t('ps.teacher'), value: (c) => teacherSelect(base, c, teachers.filter((x) => x.active), errors) },
    ], pairings, { empty: t('ps.noChildren'), rowAttrs: (c) => ({ 'data-child': c.childId }) }));
  } catch (error) {
    clear(body, problem(error));
  }
}

function teacherSelect(base, child, teachers, errors) {
  const current = child.teachers[0]?.id ?? '';
  const select = h('select', { 'aria-label': t('ps.teacherOf', { name: child.name }) },
    h('option', { value: '', selected: current === '' }, t('ps.none')),
    teachers.map((x) => h('option', { value: x.id, selected: x.id === current }, `${x.name}（${x.id}）`)));
  select.addEventListener('change', async () => {
    try {
      await api.put(base, { items: [{ childId: child.childId, teacherIds: select.value ? [select.value] : [], groups: child.groups }] });
      toast(t('ps.saved', { name: child.name }));
    } catch (error) {
      clear(errors, problem(error));
    }
  });
  return select;
}
