// Small DOM helpers. Data always goes in as text (textContent), never as HTML, so nothing a roster or a caller
// typed can run as script.

import { t, locale } from './i18n.js';
import { api, ApiError } from './api.js';

/** h('button', { class: 'primary', onclick }, 'text', child…): attributes starting with "on" become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      el.className = value;
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const ZONE = 'Asia/Shanghai';

export function money(amount) {
  if (amount === undefined || amount === null || amount === '') {
    return '—';
  }
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: 'CNY', minimumFractionDigits: 2 }).format(Number(amount));
}

export function count(value) {
  return value === undefined || value === null ? '—' : new Intl.NumberFormat(locale()).format(value);
}

export function dateTime(iso) {
  if (!iso) {
    return '—';
  }
  return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
}

export function date(iso) {
  if (!iso) {
    return '—';
  }
  return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

export function semesterTitle(semester) {
  const match = /^(\d{4})-(autumn|spring)$/.exec(semester || '');
  return match ? t(`semester.${match[2]}`, { year: match[1] }) : semester;
}

/** A coloured label; tone is one of ok, warn, bad, info, muted. The text carries the meaning, colour only repeats it. */
export function badge(text, tone = 'muted') {
  return h('span', { class: `badge badge-${tone}` }, text);
}

export function stageBadge(stage) {
  const tones = { closed: 'ok', cancelled: 'muted', review: 'warn', notice: 'info', rectification: 'warn' };
  return badge(t(`stage.${stage}`), tones[stage] ?? 'info');
}

/**
 * A table with a caption (for screen readers and the eye) wrapped so it scrolls sideways on a phone.
 * columns: [{ label, value: row => node|text, class? }]
 */
export function table(caption, columns, rows, { empty = t('common.none'), rowAttrs } = {}) {
  if (!rows.length) {
    return h('p', { class: 'empty' }, empty);
  }
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
      h('tbody', {}, rows.map((row) => h('tr', rowAttrs?.(row) ?? {}, columns.map((c) => h('td', { class: c.class, 'data-label': c.label }, c.value(row))))))));
}

/**
 * A horizontal bar chart drawn with HTML and CSS: labels wrap instead of being cut, and it reflows on any screen.
 * The numbers are printed beside each bar; the same figures are in a visually hidden table for screen readers.
 * items: [{ label, value, tone? }]
 */
export function barChart(title, items, format = count) {
  const max = Math.max(1, ...items.map((i) => Number(i.value) || 0));
  return h('figure', { class: 'chart-figure' },
    h('figcaption', {}, title),
    h('div', { class: 'bars', 'aria-hidden': 'true' },
      items.map((item) => {
        const bar = h('span', { class: `bar tone-${item.tone ?? 'info'}` });
        // CSSOM, not a style attribute: the console's policy allows no inline styles.
        bar.style.width = `${(Math.max(0, Number(item.value) || 0) / max) * 100}%`;
        return h('div', { class: 'bar-row' },
          h('span', { class: 'bar-label' }, item.label),
          h('span', { class: 'bar-track' }, bar),
          h('span', { class: 'bar-value' }, format(item.value)));
      })),
    h('table', { class: 'visually-hidden' },
      h('caption', {}, title),
      h('tbody', {}, items.map((i) => h('tr', {}, h('th', { scope: 'row' }, i.label), h('td', {}, format(i.value)))))));
}

/** What went wrong, in words: the problem's title and detail, and each field (a file's row and column) on its own line. */
export function problem(error) {
  if (!(error instanceof ApiError)) {
    return h('div', { class: 'alert alert-bad', role: 'alert' }, h('p', {}, String(error?.message ?? error)));
  }
  let lead;
  let fromServer = false;
  if (error.status === 0) {
    lead = t('error.network');
  } else if (error.status === 403) {
    lead = t('error.forbidden');
  } else {
    lead = [error.problem.title, error.problem.detail].filter(Boolean).join(' — ');
    fromServer = Boolean(lead);
  }
  const fields = error.fieldErrors;
  // The API's problems are marked with the language it wrote them in, so a screen reader reads them with the right voice.
  const lang = error.lang && !error.lang.startsWith('zh') ? error.lang : null;
  return h('div', { class: 'alert alert-bad', role: 'alert' },
    h('p', { lang: fromServer ? lang : null }, lead || t('error.title')),
    fields.length ? h('ul', { class: 'field-errors', lang }, fields.map(([field, message]) => h('li', {}, h('code', {}, field), ' ', message))) : null);
}

/** A short message that announces itself to screen readers and fades. */
export function toast(message, tone = 'ok') {
  const box = document.getElementById('toasts');
  const item = h('div', { class: `toast toast-${tone}` }, message);
  box.append(item);
  setTimeout(() => item.remove(), 5000);
}

/**
 * A button that runs an async action, disables itself meanwhile, and shows the failure next to it.
 * The action's result is passed to onDone.
 */
export function actionButton(label, action, { tone = 'primary', onDone, errorTarget, attrs = {} } = {}) {
  const button = h('button', { type: 'button', class: `btn btn-${tone}`, ...attrs }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const result = await action();
      errorTarget?.replaceChildren();
      await onDone?.(result);
    } catch (error) {
      if (errorTarget) {
        errorTarget.replaceChildren(problem(error));
      } else {
        toast(error.message, 'bad');
      }
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  });
  return button;
}

/**
 * A file picker with its button and a progress bar: sends the chosen file with api.upload and hands the API's answer to
 * onDone; a missing file or the API's problem shows in errorTarget.
 */
export function fileUpload({ label, hint, accept, buttonLabel, progressLabel, chooseFirst, method = 'POST', path, errorTarget, onDone }) {
  const input = h('input', { type: 'file', accept });
  const bar = h('progress', { max: 100, value: 0, 'aria-label': progressLabel, hidden: true });
  const button = actionButton(buttonLabel, async () => {
    const file = input.files?.[0];
    if (!file) {
      throw new Error(chooseFirst);
    }
    bar.hidden = false;
    bar.value = 0;
    return api.upload(method, path, file, (fraction) => { bar.value = Math.round(fraction * 100); });
  }, { errorTarget, onDone });
  return h('div', { class: 'upload' }, field(label, input, hint), button, bar);
}

/** A labelled form field. control is an input, select or textarea; its id ties the label to it. */
let fieldCounter = 0;
export function field(label, control, hint) {
  fieldCounter += 1;
  const id = control.id || `f${fieldCounter}`;
  control.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) {
    control.setAttribute('aria-describedby', hintId);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', {}, title), ...children);
}

/** A definition list of [term, value] pairs. */
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([term, value]) => [h('dt', {}, term), h('dd', {}, value ?? '—')]));
}

/** A panel inside a tab, whose title is an h3 under the tab's h2 (headings stay in order). */
export function subsection(title, ...children) {
  return h('section', { class: 'panel' }, h('h3', {}, title), ...children);
}
