import { t, strings } from '../i18n.js';
import { api, getAll } from '../api.js';
import { h, table, stageBadge, semesterTitle, dateTime, field, section, problem, toast } from '../ui.js';

strings({
  zh: {
    'cycles.title': '资助周期',
    'cycles.caption': '各县各学期的资助周期',
    'cycles.id': '周期编号',
    'cycles.county': '县（区）',
    'cycles.semester': '学期',
    'cycles.stage': '当前阶段',
    'cycles.updated': '最近更新',
    'cycles.open': '查看',
    'cycles.filterStage': '按阶段筛选',
    'cycles.allStages': '全部阶段',
    'cycles.filter': '筛选',
    'cycles.empty': '还没有资助周期。',
    'kickoff.title': '启动新学期资助周期',
    'kickoff.county': '县级行政区划代码',
    'kickoff.countyHint': '6 位 GB/T 2260 代码，例如 410726。',
    'kickoff.semester': '学期',
    'kickoff.noticeDays': '公示期（工作日）',
    'kickoff.noticeDaysHint': '不少于 5 个工作日，按官方工作日历计算。',
    'kickoff.submit': '启动周期',
    'kickoff.created': '已启动周期 {id}',
    'kickoff.exists': '周期 {id} 已存在，已为您打开。',
  },
  en: {
    'cycles.title': 'Aid cycles',
    'cycles.caption': 'Aid cycles by county and semester',
    'cycles.id': 'Cycle',
    'cycles.county': 'County',
    'cycles.semester': 'Semester',
    'cycles.stage': 'Stage',
    'cycles.updated': 'Last change',
    'cycles.open': 'Open',
    'cycles.filterStage': 'Filter by stage',
    'cycles.allStages': 'All stages',
    'cycles.filter': 'Filter',
    'cycles.empty': 'No aid cycles yet.',
    'kickoff.title': 'Start a semester aid cycle',
    'kickoff.county': 'County code',
    'kickoff.countyHint': 'The 6-digit GB/T 2260 code, e.g. 410726.',
    'kickoff.semester': 'Semester',
    'kickoff.noticeDays': 'Notice period (working days)',
    'kickoff.noticeDaysHint': 'At least 5 working days of the official calendar.',
    'kickoff.submit': 'Start the cycle',
    'kickoff.created': 'Cycle {id} started',
    'kickoff.exists': 'Cycle {id} already exists; opened it.',
  },
});

const STAGES = ['awaiting_rosters', 'verifying', 'review', 'notice', 'disbursement', 'rectification', 'closed', 'cancelled'];

/** The semesters worth offering: the current one and the next two, by China time. */
function semesterOptions() {
  const now = new Date(new Date().toLocaleString('en-US', { timeZone: 'Asia/Shanghai' }));
  const year = now.getFullYear();
  const month = now.getMonth() + 1;
  const list = [];
  let cursor = month >= 8 ? { year, term: 'autumn' } : month >= 2 ? { year, term: 'spring' } : { year: year - 1, term: 'autumn' };
  for (let i = 0; i < 3; i += 1) {
    list.push(`${cursor.year}-${cursor.term}`);
    cursor = cursor.term === 'autumn' ? { year: cursor.year + 1, term: 'spring' } : { year: cursor.year, term: 'autumn' };
  }
  return list;
}

function kickoffForm(navigate) {
  const errors = h('div', { 'aria-live': 'polite' });
  const county = h('input', { name: 'countyCode', inputmode: 'numeric', pattern: '\\d{6}', maxlength: '6', required: true, autocomplete: 'off' });
  const semester = h('select', { name: 'semester' }, semesterOptions().map((s) => h('option', { value: s }, `${semesterTitle(s)} (${s})`)));
  const noticeDays = h('input', { name: 'noticeDays', type: 'number', min: '5', max: '30', value: '5', required: true });
  const form = h('form', { class: 'form-grid', 'aria-labelledby': 'kickoff-title' },
    field(t('kickoff.county'), county, t('kickoff.countyHint')),
    field(t('kickoff.semester'), semester),
    field(t('kickoff.noticeDays'), noticeDays, t('kickoff.noticeDaysHint')),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('kickoff.submit'))),
    errors);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const response = await fetchCreate({ countyCode: county.value.trim(), semester: semester.value, noticeDays: Number(noticeDays.value) });
      toast(t(response.created ? 'kickoff.created' : 'kickoff.exists', { id: response.cycle.id }));
      navigate(`/cycles/${encodeURIComponent(response.cycle.id)}`);
    } catch (error) {
      errors.replaceChildren(problem(error));
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'panel' }, h('h2', { id: 'kickoff-title' }, t('kickoff.title')), form);
}

async function fetchCreate(body) {
  // 201 starts a cycle; 200 means this county's semester already has one (the kick-off is idempotent).
  const response = await api.send('POST', '/api/cycles', { body, raw: true });
  return { cycle: await response.json(), created: response.status === 201 };
}

export default async function render(page, { query, me, navigate }) {
  const stage = query.get('stage') || '';
  const cycles = await getAll(`/api/cycles${stage ? `?stage=${encodeURIComponent(stage)}` : ''}`, 500);
  cycles.sort((a, b) => (b.updatedAt || '').localeCompare(a.updatedAt || ''));

  // A form with its own button: choosing with the arrow keys must not navigate away under the user (WCAG 3.2.2).
  const filter = h('select', { name: 'stage' },
    h('option', { value: '' }, t('cycles.allStages')),
    STAGES.map((s) => h('option', { value: s, selected: s === stage }, t(`stage.${s}`))));
  const filterForm = h('form', { class: 'toolbar' }, field(t('cycles.filterStage'), filter), h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('cycles.filter'))));
  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(filter.value ? `/cycles?stage=${encodeURIComponent(filter.value)}` : '/cycles');
  });

  page.append(
    h('h1', {}, t('cycles.title')),
    me.role === 'bureau_admin' ? kickoffForm(navigate) : null,
    section(t('cycles.caption'),
      filterForm,
      table(t('cycles.caption'), [
        { label: t('cycles.id'), value: (c) => h('a', { href: `#/cycles/${encodeURIComponent(c.id)}` }, c.id) },
        { label: t('cycles.county'), value: (c) => c.countyName || c.countyCode },
        { label: t('cycles.semester'), value: (c) => semesterTitle(c.semester) },
        { label: t('cycles.stage'), value: (c) => stageBadge(c.stage) },
        { label: t('cycles.updated'), value: (c) => dateTime(c.updatedAt) },
      ], cycles, { empty: t('cycles.empty') })));
}
