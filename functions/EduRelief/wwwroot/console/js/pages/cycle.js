// A cycle's page: its heading, a tab bar, and the tab's own module (pages/cycle-<tab>.js) below.
// Each tab module exports `default async function render(container, ctx)` with
// ctx = { cycle, me, params: { id, tab, sub }, query, navigate, refresh, path(tab, sub?) }.

import { t, strings } from '../i18n.js';
import { api } from '../api.js';
import { h, stageBadge, semesterTitle } from '../ui.js';

strings({
  zh: {
    'tab.overview': '概况',
    'tab.rosters': '名册上传',
    'tab.review': '核验与审核',
    'tab.notice': '公示',
    'tab.payments': '发放与对账',
    'tab.hotline': '热线工单',
    'tab.rectification': '整改',
    'tab.downloads': '台账下载',
    'cycle.tabs': '周期功能',
    'cycle.version': '流程版本 v{v}',
    'cycle.contacts': '县教育局联系方式',
    'cycle.referrals': '两后生转介',
    'cycle.dropouts': '控辍保学',
    'cycle.children': '学生档案',
    'cycle.dropoutReports': '控辍保学月报',
    'cycle.pairing': '结对帮扶',
  },
  en: {
    'tab.overview': 'Overview',
    'tab.rosters': 'Rosters',
    'tab.review': 'Verification & review',
    'tab.notice': 'Public notice',
    'tab.payments': 'Payments',
    'tab.hotline': 'Hotline',
    'tab.rectification': 'Rectification',
    'tab.downloads': 'Downloads',
    'cycle.tabs': 'Cycle sections',
    'cycle.version': 'Workflow v{v}',
    'cycle.contacts': 'County bureau contacts',
    'cycle.referrals': '两后生 referrals',
    'cycle.dropouts': '控辍保学 cases',
    'cycle.children': 'Children',
    'cycle.dropoutReports': '控辍保学 monthly reports',
    'cycle.pairing': 'Pairing',
  },
});

const ALL = ['bureau_admin', 'inspector', 'school_officer'];

/** The tabs, and who sees each: the API decides what may be done, the console only leaves out what cannot be. */
export const TABS = [
  { name: 'overview', roles: ALL, load: () => import('./cycle-overview.js') },
  { name: 'rosters', roles: ['bureau_admin'], load: () => import('./cycle-rosters.js') },
  { name: 'review', roles: ALL, load: () => import('./cycle-review.js') },
  { name: 'notice', roles: ALL, load: () => import('./cycle-notice.js') },
  { name: 'payments', roles: ALL, load: () => import('./cycle-payments.js') },
  { name: 'hotline', roles: ALL, load: () => import('./cycle-hotline.js') },
  { name: 'rectification', roles: ALL, load: () => import('./cycle-rectification.js') },
  { name: 'downloads', roles: ALL, load: () => import('./cycle-downloads.js') },
];

export default async function render(page, { params, query, me, navigate, refresh }) {
  const cycle = await api.get(`/api/cycles/${encodeURIComponent(params.id)}`);
  const tabs = TABS.filter((tab) => tab.roles.includes(me.role));
  const active = tabs.find((tab) => tab.name === (params.tab || 'overview'));
  const path = (tab, sub) => `/cycles/${encodeURIComponent(cycle.id)}/${tab}${sub ? `/${encodeURIComponent(sub)}` : ''}`;

  page.append(
    h('header', { class: 'cycle-head' },
      h('p', { class: 'crumbs' }, h('a', { href: '#/cycles' }, t('nav.cycles')), ' / ', cycle.id),
      h('h1', {}, `${cycle.countyName} · ${semesterTitle(cycle.semester)}`),
      h('p', { class: 'cycle-meta' }, stageBadge(cycle.stage), ' ', h('span', { class: 'muted' }, t('cycle.version', { v: cycle.definitionVersion })),
        ' · ', h('a', { href: `#/counties/${encodeURIComponent(cycle.countyCode)}/contacts` }, t('cycle.contacts')),
        ' · ', h('a', { href: `#/counties/${encodeURIComponent(cycle.countyCode)}/dropout-cases` }, t('cycle.dropouts')),
        ' · ', h('a', { href: `#/counties/${encodeURIComponent(cycle.countyCode)}/referrals` }, t('cycle.referrals')),
        ' · ', h('a', { href: `#/counties/${encodeURIComponent(cycle.countyCode)}/children` }, t('cycle.children')),
        ' · ', h('a', { href: `#/counties/${encodeURIComponent(cycle.countyCode)}/dropout-reports` }, t('cycle.dropoutReports')),
        cycle.notice?.publishedAt ? [' · ', h('a', { href: `#/pairing/${encodeURIComponent(cycle.id)}` }, t('cycle.pairing'))] : null)),
    h('nav', { class: 'tabs', 'aria-label': t('cycle.tabs') },
      tabs.map((tab) => h('a', { href: `#${path(tab.name)}`, class: 'tab', 'aria-current': tab === active ? 'page' : null }, t(`tab.${tab.name}`)))));

  const body = h('div', { class: 'tab-body' });
  page.append(body);
  if (!active) {
    body.append(h('p', { class: 'alert alert-bad', role: 'alert' }, t('error.forbidden')));
    return;
  }
  const module = await active.load();
  await module.default(body, { cycle, me, params, query, navigate, refresh, path });
}
