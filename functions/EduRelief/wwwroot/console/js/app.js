// The console shell: who is signed in, the top bar, and a hash router (#/cycles/…) that renders one page at a time.

import { t, lang, setLang, strings } from './i18n.js';
import { api, ApiError } from './api.js';
import { isSignedIn, signOut, completeEntraSignIn, endEntraSession, setSignInError, configureEntra } from './auth.js';
import { h, clear, problem } from './ui.js';

strings({
  zh: { 'app.signedInAs': '{name}（{role}）', 'app.school': '学校标识码 {code}', 'app.schoolNamed': '{name}' },
  en: { 'app.signedInAs': '{name} ({role})', 'app.school': 'School {code}', 'app.schoolNamed': '{name} ({code})' },
});

/** Routes in order; the first whose pattern matches the hash renders. */
const routes = [
  { pattern: /^\/signin$/, load: () => import('./pages/signin.js'), public: true },
  { pattern: /^\/cycles$/, load: () => import('./pages/cycles.js') },
  { pattern: /^\/cycles\/([^/]+)(?:\/([a-z-]+))?(?:\/([^/]+))?$/, load: () => import('./pages/cycle.js'), names: ['id', 'tab', 'sub'] },
  { pattern: /^\/counties\/(\d{6})\/contacts$/, load: () => import('./pages/contacts.js'), names: ['countyCode'] },
  { pattern: /^\/counties\/(\d{6})\/referrals$/, load: () => import('./pages/referrals.js'), names: ['countyCode'] },
  { pattern: /^\/counties\/(\d{6})\/dropout-cases(?:\/([0-9a-f]{32}))?$/, load: () => import('./pages/dropout-cases.js'), names: ['countyCode', 'caseId'] },
  { pattern: /^\/counties\/(\d{6})\/children$/, load: () => import('./pages/children.js'), names: ['countyCode'] },
  { pattern: /^\/counties\/(\d{6})\/dropout-reports$/, load: () => import('./pages/dropout-reports.js'), names: ['countyCode'] },
  { pattern: /^\/pairing$/, load: () => import('./pages/pairing.js') },
  { pattern: /^\/pairing\/([^/]+)$/, load: () => import('./pages/pairing-school.js'), names: ['cycleId'] },
];

/** Where a role starts: a teacher has their children only, everyone else the cycles. */
const home = (me) => (me?.role === 'teacher' ? '/pairing' : '/cycles');

export const session = { me: null, config: { entra: null, devClock: false } };

export function navigate(path) {
  if (location.hash === `#${path}`) {
    render();
  } else {
    location.hash = `#${path}`;
  }
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/cycles';
  const [path, query = ''] = raw.split('?');
  return { path, query: new URLSearchParams(query), raw };
}

function topbar() {
  const bar = document.getElementById('topbar');
  const me = session.me;
  const langButton = h('button', { type: 'button', class: 'btn btn-ghost', 'aria-label': `${t('app.switchLang')} · ${t('app.switchLangLabel')}`, onclick: () => { setLang(lang() === 'zh' ? 'en' : 'zh'); render(); } }, t('app.switchLang'));
  clear(bar,
    h('div', { class: 'brand' }, h('a', { href: `#${home(me)}` }, h('span', { class: 'brand-title' }, t('app.title'))), h('span', { class: 'brand-sub' }, t('app.subtitle'))),
    me ? h('nav', { 'aria-label': t('app.nav'), class: 'topnav' }, me.role === 'teacher'
      ? h('a', { href: '#/pairing', 'aria-current': 'page' }, t('nav.pairing'))
      : h('a', { href: '#/cycles', 'aria-current': location.hash.startsWith('#/cycles') ? 'page' : null }, t('nav.cycles'))) : null,
    h('div', { class: 'who' },
      me ? h('span', { class: 'who-name', 'data-testid': 'who' }, t('app.signedInAs', { name: me.name, role: t(`role.${me.role}`) }), me.schoolCode ? h('span', { class: 'who-school' }, t(me.schoolName ? 'app.schoolNamed' : 'app.school', { code: me.schoolCode, name: me.schoolName })) : null) : null,
      langButton,
      me ? h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => {
        const via = me.via;
        session.me = null;
        signOut();
        // On a shared school computer the next person must not walk into this officer's Entra session.
        if (via === 'entra' && session.config.entra) {
          endEntraSession(session.config.entra);
        }
      } }, t('app.signOut')) : null));
  document.querySelector('.skip-link').textContent = t('app.skip');
  document.title = t('app.title');
}

let renderCount = 0;

export async function render() {
  const ticket = ++renderCount;
  const main = document.getElementById('main');
  const { path, query, raw } = parseHash();
  const route = routes.find((r) => r.pattern.test(path));

  if (!route) {
    topbar();
    clear(main, h('h1', {}, t('app.notFound')), h('p', {}, h('a', { href: '#/cycles' }, t('nav.cycles'))));
    return;
  }
  if (!route.public && !isSignedIn()) {
    location.hash = `#/signin?next=${encodeURIComponent(raw)}`;
    return;
  }
  if (!route.public && !session.me) {
    try {
      session.me = await api.get('/api/me');
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401) && ticket === renderCount) {
        topbar();
        clear(main, h('h1', {}, t('error.title')), problem(error), h('p', {}, h('button', { type: 'button', class: 'btn btn-secondary', onclick: render }, t('error.retry'))));
      }
      return;
    }
  }

  // The signed-in user as this render saw them: a sign-in page rendered meanwhile may clear session.me.
  const me = session.me;
  if (ticket !== renderCount) {
    return;
  }
  if (path === '/cycles' && home(me) !== '/cycles') {
    navigate(home(me));
    return;
  }
  const match = route.pattern.exec(path);
  const params = Object.fromEntries((route.names ?? []).map((name, i) => [name, match[i + 1] ? decodeURIComponent(match[i + 1]) : undefined]));
  topbar();
  main.setAttribute('aria-busy', 'true');
  try {
    const page = await route.load();
    const content = h('div', { class: 'page' });
    await page.default(content, { params, query, me, config: session.config, navigate, refresh: render });
    if (ticket !== renderCount) {
      return; // a later navigation won
    }
    clear(main, content);
    // Move focus to the new page's heading so keyboard and screen-reader users land on it.
    const heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  } catch (error) {
    if (ticket === renderCount) {
      clear(main, h('h1', {}, t('error.title')), problem(error), h('p', {}, h('button', { type: 'button', class: 'btn btn-secondary', onclick: render }, t('error.retry'))));
    }
  } finally {
    if (ticket === renderCount) {
      main.removeAttribute('aria-busy');
    }
  }
}

async function start() {
  setLang(lang());
  try {
    session.config = await api.get('/api/console/config');
  } catch {
    // API keys still work without the configuration answer.
  }
  configureEntra(session.config.entra);
  try {
    const next = await completeEntraSignIn(session.config.entra);
    if (next) {
      // replaceState, not location.hash: a hashchange would arrive after the render below and draw the page twice.
      history.replaceState(null, '', `#${next}`);
    }
  } catch (error) {
    // The sign-in page shows it: it renders next and would draw over anything put here. Set without a hashchange, whose
    // late second render would win over the first and lose the message (it is taken once).
    setSignInError(error.message);
    history.replaceState(null, '', '#/signin');
  }
  window.addEventListener('hashchange', render);
  await render();
}

start();
