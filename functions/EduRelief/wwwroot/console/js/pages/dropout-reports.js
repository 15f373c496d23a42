// A county's 控辍保学 monthly reports (#/counties/{countyCode}/dropout-reports): made on the first working day of each
// month at 09:00 for the month before, by township and village. The page charts 义务教育巩固率 month by month, lists
// the reports with the county's figures, and opens one report's townships and villages; each workbook downloads.

import { t, lang, strings } from '../i18n.js';
import { api, getAll } from '../api.js';
import { h, badge, barChart, clear, count, dateTime, problem, section, semesterTitle, table } from '../ui.js';

strings({
  zh: {
    'dr.title': '控辍保学月报（{code}）',
    'dr.lead': '每月第一个工作日 9:00 自动生成上月月报：建档立卡户 6 至 15 周岁适龄儿童的就学情况（按乡镇、村），义务教育巩固率 =（县内在校 + 县外就读 + 送教上门 + 延缓入学或休学）÷ 适龄儿童，并发送县教育局和各乡镇。',
    'dr.chart': '义务教育巩固率（按月）',
    'dr.caption': '月报列表',
    'dr.month': '月份',
    'dr.schoolAge': '适龄儿童',
    'dr.enrolled': '县内在校',
    'dr.outside': '县外就读',
    'dr.home': '送教上门',
    'dr.deferred': '延缓入学或休学',
    'dr.notInSchool': '未入学（在劝返）',
    'dr.returned': '本月劝返复学',
    'dr.rate': '义务教育巩固率',
    'dr.certified': '义务教育有保障村',
    'dr.certifiedOf': '{n} / {of} 个村',
    'dr.made': '生成时间',
    'dr.open': '查看',
    'dr.download': '下载工作簿',
    'dr.none': '还没有月报。每月第一个工作日 9:00 生成上月月报（县里须已有完成核验的学期）。',
    'dr.detail': '{month} 月报：按乡镇、村',
    'dr.reference': '以 {semester} 学籍为准',
    'dr.township': '乡镇',
    'dr.village': '村',
    'dr.total': '全县合计',
    'dr.yes': '有保障',
    'dr.no': '有未入学儿童',
  },
  en: {
    'dr.title': '控辍保学 monthly reports ({code})',
    'dr.lead': 'Made on the first working day of each month at 09:00 for the month before: the school-age children (6 to 15) of covered households by township and village, with 义务教育巩固率 = (enrolled in the county + outside it + home schooling + deferred) ÷ school-age, sent to the bureau and each township.',
    'dr.chart': '义务教育巩固率 by month',
    'dr.caption': 'Monthly reports',
    'dr.month': 'Month',
    'dr.schoolAge': 'School-age',
    'dr.enrolled': 'Enrolled in the county',
    'dr.outside': 'Outside the county',
    'dr.home': 'Home schooling',
    'dr.deferred': 'Deferred',
    'dr.notInSchool': 'Not in school',
    'dr.returned': 'Returned this month',
    'dr.rate': 'Consolidation rate',
    'dr.certified': 'Certified villages',
    'dr.certifiedOf': '{n} of {of} villages',
    'dr.made': 'Made',
    'dr.open': 'Open',
    'dr.download': 'Download the workbook',
    'dr.none': 'No monthly reports yet. Each is made on the first working day of a month at 09:00 for the month before (once the county has a verified semester).',
    'dr.detail': 'Report of {month}: by township and village',
    'dr.reference': 'as the rosters of {semester} list them',
    'dr.township': 'Township',
    'dr.village': 'Village',
    'dr.total': 'County total',
    'dr.yes': 'Certified',
    'dr.no': 'Children not in school',
  },
});

/** 2026-09 → 2026年9月 (en: 2026-09). */
function monthTitle(month) {
  const [year, m] = month.split('-');
  return lang() === 'zh' ? `${year}年${Number(m)}月` : month;
}

function rate(value) {
  return value === null || value === undefined ? '—' : `${Number(value).toFixed(1)}%`;
}

const FIGURES = [
  ['schoolAge', 'dr.schoolAge'], ['enrolled', 'dr.enrolled'], ['outside', 'dr.outside'], ['homeSchooling', 'dr.home'],
  ['deferred', 'dr.deferred'], ['notInSchool', 'dr.notInSchool'], ['returned', 'dr.returned'],
];

function figureColumns(of) {
  return [
    ...FIGURES.map(([key, label]) => ({ label: t(label), class: 'num', value: (row) => count(of(row)[key]) })),
    { label: t('dr.rate'), class: 'num', value: (row) => rate(of(row).consolidationRate) },
  ];
}

export default async function render(page, { params, query }) {
  const code = params.countyCode;
  const base = `/api/counties/${encodeURIComponent(code)}/dropout-reports`;
  const body = h('div');
  const detail = h('div', { 'aria-live': 'polite' });
  page.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/cycles' }, t('nav.cycles'))),
    h('h1', {}, t('dr.title', { code })),
    h('p', { class: 'lead' }, t('dr.lead')),
    body,
    detail);

  let reports;
  try {
    reports = await getAll(`${base}?pageSize=1000`, 1000);
  } catch (error) {
    clear(body, problem(error));
    return;
  }
  if (reports.length === 0) {
    clear(body, h('p', { class: 'empty' }, t('dr.none')));
    return;
  }

  const open = async (month) => {
    try {
      clear(detail, report(await api.get(`${base}/${encodeURIComponent(month)}`), base));
    } catch (error) {
      clear(detail, problem(error));
    }
  };
  clear(body,
    barChart(t('dr.chart'), reports.map((r) => ({ label: monthTitle(r.month), value: r.figures.consolidationRate ?? 0, tone: (r.figures.consolidationRate ?? 0) >= 100 ? 'ok' : 'info' })), rate),
    table(t('dr.caption'), [
      { label: t('dr.month'), value: (r) => monthTitle(r.month) },
      ...figureColumns((r) => r.figures),
      { label: t('dr.certified'), value: (r) => t('dr.certifiedOf', { n: r.certifiedVillages, of: r.villages }) },
      { label: t('dr.made'), value: (r) => dateTime(r.createdAt) },
      { label: '', value: (r) => h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: () => { location.hash = `#/counties/${encodeURIComponent(code)}/dropout-reports?month=${r.month}`; } }, t('dr.open')) },
    ], reports, { rowAttrs: (r) => ({ 'data-month': r.month }) }));
  const wanted = query.get('month');
  await open(reports.some((r) => r.month === wanted) ? wanted : reports[reports.length - 1].month);
}

/** One report: the county and its townships, then each township's villages with their certification. */
function report(r, base) {
  const download = h('button', { type: 'button', class: 'btn btn-secondary' }, t('dr.download'));
  download.addEventListener('click', () => api.download(`${base}/${encodeURIComponent(r.id)}/workbook`, `${r.countyCode}-控辍保学月报-${r.month}.xlsx`));
  const townships = [...r.townships, { township: t('dr.total'), figures: r.figures, villages: [] }];
  return section(t('dr.detail', { month: monthTitle(r.month) }),
    h('p', { class: 'muted' }, t('dr.reference', { semester: semesterTitle(r.referenceSemester) }), ' · ', download),
    table(t('dr.township'), [{ label: t('dr.township'), value: (x) => x.township }, ...figureColumns((x) => x.figures)], townships,
      { rowAttrs: (x) => ({ 'data-township': x.township }) }),
    table(t('dr.village'), [
      { label: t('dr.township'), value: (x) => x.township },
      { label: t('dr.village'), value: (x) => x.village },
      ...figureColumns((x) => x.figures),
      { label: t('dr.certified'), value: (x) => badge(x.certified ? t('dr.yes') : t('dr.no'), x.certified ? 'ok' : 'warn') },
    ], r.townships.flatMap((tw) => tw.villages.map((v) => ({ ...v, township: tw.township }))),
    { rowAttrs: (x) => ({ 'data-village': `${x.township}/${x.village}` }) }));
}
