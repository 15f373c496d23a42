// A county bureau's contacts (#/counties/{countyCode}/contacts): the hotline number and objection address printed on
// every notice, and the mailboxes reminders and escalations go to. The bureau administrator edits; others read.

import { t, strings } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { h, clear, table, dateTime, field, facts, problem, section, toast } from '../ui.js';

strings({
  zh: {
    'contacts.title': '县教育局联系方式（{code}）',
    'contacts.lead': '热线电话和异议受理地址印在每份公示上；提醒和超期上报按下列邮箱发送。',
    'contacts.bureau': '教育局',
    'contacts.bureauName': '教育局名称',
    'contacts.hotlinePhone': '热线电话',
    'contacts.objectionAddress': '异议受理地址',
    'contacts.bureauEmail': '教育局邮箱',
    'contacts.bureauEmailHint': '接收超期上报和日历提醒。',
    'contacts.sections': '股室邮箱',
    'contacts.sectionName': '股室名称',
    'contacts.schools': '学校邮箱',
    'contacts.schoolCode': '学校标识码',
    'contacts.email': '邮箱',
    'contacts.add': '添加一行（{what}）',
    'contacts.remove': '删除第{n}行',
    'contacts.row': '第{n}行',
    'contacts.updated': '最近修改：{at}，{by}',
    'contacts.missing': '尚未设置本县联系方式。',
    'contacts.missingAdmin': '尚未设置本县联系方式，请填写后保存。',
    'contacts.saved': '联系方式已保存',
    'contacts.back': '返回资助周期',
    'contacts.chain': '控辍保学责任人（七长制）',
    'contacts.chainLead': '每个控辍保学儿童的责任链由此生成：乡镇长、村委会主任（行政线），中心校校长、学校校长、责任教师（教育线）。乡镇和村的名称须与建档立卡名册一致。',
    'contacts.townships': '乡镇',
    'contacts.township': '乡镇名称',
    'contacts.townshipHead': '乡镇长',
    'contacts.centralSchoolPrincipal': '中心校校长',
    'contacts.townshipEmail': '乡镇邮箱',
    'contacts.villages': '村委会主任',
    'contacts.villagesHint': '每行一个村：村名 主任姓名，例如“东关村 赵红”。',
    'contacts.villageCount': '{n} 个村',
    'contacts.principals': '学校校长',
    'contacts.principal': '校长姓名',
    'contacts.badVillage': '第{n}行“{line}”应为“村名 主任姓名”。',
  },
  en: {
    'contacts.title': 'County bureau contacts ({code})',
    'contacts.lead': 'The hotline number and the objection address are printed on every notice; reminders and escalations go to these mailboxes.',
    'contacts.bureau': 'Bureau',
    'contacts.bureauName': 'Bureau name',
    'contacts.hotlinePhone': 'Hotline phone',
    'contacts.objectionAddress': 'Objection address',
    'contacts.bureauEmail': 'Bureau email',
    'contacts.bureauEmailHint': 'Receives escalations and calendar warnings.',
    'contacts.sections': 'Section mailboxes',
    'contacts.sectionName': 'Section',
    'contacts.schools': 'School mailboxes',
    'contacts.schoolCode': 'School code',
    'contacts.email': 'Email',
    'contacts.add': 'Add a row ({what})',
    'contacts.remove': 'Remove row {n}',
    'contacts.row': 'Row {n}',
    'contacts.updated': 'Last changed {at} by {by}',
    'contacts.missing': "This county's contacts are not set yet.",
    'contacts.missingAdmin': "This county's contacts are not set yet: fill them in and save.",
    'contacts.saved': 'Contacts saved',
    'contacts.back': 'Back to aid cycles',
    'contacts.chain': 'Who answers for children out of school (七长制)',
    'contacts.chainLead': "Every 控辍保学 child's chain comes from here: the township head and the village head (administrative line), the central school principal, the school principal and the responsible teacher (education line). Township and village names must be spelt as in the poverty registry.",
    'contacts.townships': 'Townships',
    'contacts.township': 'Township',
    'contacts.townshipHead': 'Township head',
    'contacts.centralSchoolPrincipal': 'Central school principal',
    'contacts.townshipEmail': 'Township email',
    'contacts.villages': 'Village heads',
    'contacts.villagesHint': 'One village per line: the village, a space, the head, e.g. "东关村 赵红".',
    'contacts.villageCount': '{n} villages',
    'contacts.principals': 'School principals',
    'contacts.principal': 'Principal',
    'contacts.badVillage': 'Line {n} "{line}" is not "village head".',
  },
});

export default async function render(page, { params, me }) {
  const code = params.countyCode;
  let contacts = null;
  try {
    contacts = await api.get(`/api/counties/${encodeURIComponent(code)}/contacts`);
  } catch (error) {
    // 404 with a detail about contacts: the county exists but has none yet; anything else is shown as it is.
    if (!(error instanceof ApiError && error.status === 404 && /Contacts/.test(error.problem.detail ?? error.problem.title ?? ''))) {
      page.append(h('h1', {}, t('contacts.title', { code })), problem(error), h('p', {}, h('a', { href: '#/cycles' }, t('contacts.back'))));
      return;
    }
  }

  page.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/cycles' }, t('nav.cycles'))),
    h('h1', {}, t('contacts.title', { code })),
    h('p', { class: 'lead' }, t('contacts.lead')));

  if (me.role !== 'bureau_admin') {
    page.append(contacts ? readOnly(contacts) : h('p', { class: 'alert alert-info' }, t('contacts.missing')));
    return;
  }
  page.append(editor(code, contacts));
}

function readOnly(c) {
  const rows = (map) => Object.entries(map ?? {}).map(([key, email]) => ({ key, email }));
  return h('div', { class: 'contacts' },
    section(t('contacts.bureau'), facts([
      [t('contacts.bureauName'), c.bureauName],
      [t('contacts.hotlinePhone'), c.hotlinePhone],
      [t('contacts.objectionAddress'), c.objectionAddress],
      [t('contacts.bureauEmail'), c.bureauEmail],
    ]), updated(c)),
    section(t('contacts.sections'), table(t('contacts.sections'), [
      { label: t('contacts.sectionName'), value: (r) => r.key },
      { label: t('contacts.email'), value: (r) => r.email },
    ], rows(c.sections))),
    section(t('contacts.schools'), table(t('contacts.schools'), [
      { label: t('contacts.schoolCode'), value: (r) => r.key },
      { label: t('contacts.email'), value: (r) => r.email },
    ], rows(c.schools))),
    section(t('contacts.chain'), table(t('contacts.townships'), [
      { label: t('contacts.township'), value: (r) => r.name },
      { label: t('contacts.townshipHead'), value: (r) => r.head ?? '—' },
      { label: t('contacts.centralSchoolPrincipal'), value: (r) => r.centralSchoolPrincipal ?? '—' },
      { label: t('contacts.townshipEmail'), value: (r) => r.email ?? '—' },
      { label: t('contacts.villages'), value: (r) => villageLines(r.villages).join('、') || '—' },
    ], Object.entries(c.townships ?? {}).map(([name, township]) => ({ name, ...township }))),
    table(t('contacts.principals'), [
      { label: t('contacts.schoolCode'), value: (r) => r.key },
      { label: t('contacts.principal'), value: (r) => r.email },
    ], rows(c.principals))));
}

/** "东关村 赵红" per village. */
function villageLines(villages) {
  return Object.entries(villages ?? {}).map(([village, head]) => `${village} ${head}`);
}

/** The villages textarea back to {village: head}; the lines it cannot read, for the error. */
function readVillages(text) {
  const villages = {};
  const bad = [];
  text.split('\n').map((line) => line.trim()).forEach((line, index) => {
    if (!line) {
      return;
    }
    const match = /^(\S+)[\s:：]+(.+)$/.exec(line);
    if (match) {
      villages[match[1]] = match[2].trim();
    } else {
      bad.push(t('contacts.badVillage', { n: index + 1, line }));
    }
  });
  return { villages, bad };
}

function updated(c) {
  return c.updatedAt ? h('p', { class: 'muted' }, t('contacts.updated', { at: dateTime(c.updatedAt), by: c.updatedBy })) : null;
}

/** A fieldset of rows a person adds and removes: each row gets its own numbered remove button, and an add button ends it. */
function editableRows(legend, className) {
  const list = h('ol', { class: 'contacts-pairs' });
  const renumber = () => [...list.children].forEach((item, index) => {
    item.querySelector('.row-remove').textContent = t('contacts.remove', { n: index + 1 });
    item.setAttribute('aria-label', t('contacts.row', { n: index + 1 }));
  });
  const addRow = (...fields) => {
    const item = h('li', { class: className });
    const remove = h('button', { type: 'button', class: 'btn btn-secondary btn-small row-remove' });
    remove.addEventListener('click', () => { item.remove(); renumber(); });
    item.append(...fields, h('div', { class: 'form-actions-inline' }, remove));
    list.append(item);
    renumber();
  };
  const element = (onAdd) => h('fieldset', {}, h('legend', {}, legend), list,
    h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: onAdd }, t('contacts.add', { what: legend })));
  return { list, addRow, element };
}

/** The townships of the chain, one row each: name, head, central school principal, mailbox and village heads. */
function townshipList(entries) {
  const rows = editableRows(t('contacts.townships'), 'contacts-pair contacts-township');
  const addRow = (name = '', township = {}) => {
    const input = (key, value, attrs = {}) => h('input', { name: `township-${key}`, value: value ?? '', autocomplete: 'off', ...attrs });
    rows.addRow(
      field(t('contacts.township'), input('name', name)),
      field(t('contacts.townshipHead'), input('head', township.head)),
      field(t('contacts.centralSchoolPrincipal'), input('centralSchoolPrincipal', township.centralSchoolPrincipal)),
      field(t('contacts.townshipEmail'), input('email', township.email, { type: 'email' })),
      field(t('contacts.villages'), h('textarea', { name: 'township-villages', rows: 3 }, villageLines(township.villages).join('\n')), t('contacts.villagesHint')));
  };
  for (const [name, township] of Object.entries(entries ?? {})) {
    addRow(name, township);
  }
  const read = () => {
    const townships = {};
    const bad = [];
    for (const item of rows.list.children) {
      const value = (key) => item.querySelector(`[name=township-${key}]`).value.trim();
      const villages = readVillages(item.querySelector('[name=township-villages]').value);
      bad.push(...villages.bad);
      if (value('name') || value('head') || value('centralSchoolPrincipal') || value('email') || Object.keys(villages.villages).length) {
        townships[value('name')] = { head: value('head') || null, centralSchoolPrincipal: value('centralSchoolPrincipal') || null, email: value('email') || null, villages: villages.villages };
      }
    }
    return { townships, bad };
  };
  return { element: rows.element(() => addRow()), read };
}

/** An editable list of key → value rows (a mailbox, or a principal's name), each with labelled inputs and its own remove button. */
function pairList(legend, keyLabel, name, entries, valueLabel = t('contacts.email'), valueType = 'email') {
  const rows = editableRows(legend, 'contacts-pair');
  const addRow = (key = '', value = '') => rows.addRow(
    field(keyLabel, h('input', { name: `${name}-key`, value: key, autocomplete: 'off' })),
    field(valueLabel, h('input', { name: `${name}-email`, type: valueType, value, autocomplete: 'off' })));
  for (const [key, value] of Object.entries(entries ?? {})) {
    addRow(key, value);
  }
  const read = () => Object.fromEntries([...rows.list.children]
    .map((item) => [item.querySelector(`[name=${name}-key]`).value.trim(), item.querySelector(`[name=${name}-email]`).value.trim()])
    .filter(([key, value]) => key || value));
  return { element: rows.element(() => addRow()), read };
}

function editor(code, c) {
  const input = (name, value, attrs = {}) => h('input', { name, value: value ?? '', autocomplete: 'off', ...attrs });
  const bureauName = input('bureauName', c?.bureauName);
  const hotlinePhone = input('hotlinePhone', c?.hotlinePhone, { type: 'tel' });
  const objectionAddress = input('objectionAddress', c?.objectionAddress);
  const bureauEmail = input('bureauEmail', c?.bureauEmail, { type: 'email' });
  const sections = pairList(t('contacts.sections'), t('contacts.sectionName'), 'section', c?.sections);
  const schools = pairList(t('contacts.schools'), t('contacts.schoolCode'), 'school', c?.schools);
  const townships = townshipList(c?.townships);
  const principals = pairList(t('contacts.principals'), t('contacts.schoolCode'), 'principal', c?.principals, t('contacts.principal'), 'text');
  const errors = h('div', { class: 'form-errors' });
  const status = h('div', {}, c ? updated(c) : h('p', { class: 'alert alert-info' }, t('contacts.missingAdmin')));
  const form = h('form', { class: 'panel contacts-form', novalidate: true, 'aria-label': t('contacts.title', { code }) },
    h('h2', {}, t('contacts.bureau')),
    status,
    h('div', { class: 'form-grid' },
      field(t('contacts.bureauName'), bureauName),
      field(t('contacts.hotlinePhone'), hotlinePhone),
      field(t('contacts.objectionAddress'), objectionAddress),
      field(t('contacts.bureauEmail'), bureauEmail, t('contacts.bureauEmailHint'))),
    sections.element,
    schools.element,
    h('h2', {}, t('contacts.chain')),
    h('p', { class: 'hint' }, t('contacts.chainLead')),
    townships.element,
    principals.element,
    errors,
    h('div', { class: 'form-actions-inline' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    const chain = townships.read();
    if (chain.bad.length) {
      errors.replaceChildren(h('div', { class: 'alert alert-bad', role: 'alert' }, chain.bad.map((line) => h('p', {}, line))));
      return;
    }
    button.disabled = true;
    try {
      const saved = await api.put(`/api/counties/${encodeURIComponent(code)}/contacts`, {
        bureauName: bureauName.value,
        hotlinePhone: hotlinePhone.value,
        objectionAddress: objectionAddress.value,
        bureauEmail: bureauEmail.value,
        sections: sections.read(),
        schools: schools.read(),
        townships: chain.townships,
        principals: principals.read(),
      });
      errors.replaceChildren();
      clear(status, updated(saved));
      toast(t('contacts.saved'));
    } catch (error) {
      errors.replaceChildren(problem(error));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
