// A teacher's children (#/pairing), laid out for a phone: each child paired with the signed-in teacher, with this
// week's help and this month's home visit said in words and colour, and a home visit recorded in three taps
// (记录家访 → optionally a photo → 保存). Everything comes from GET /api/pairings/mine under the teacher's own key.

import { t, strings } from '../i18n.js';
import { api } from '../api.js';
import { h, badge, clear, field, money, problem, toast } from '../ui.js';

strings({
  zh: {
    'pair.title': '我的结对学生',
    'pair.lead': '{school}：每名结对学生每周至少一次帮扶、每月至少一次家访。',
    'pair.none': '您还没有结对学生。',
    'pair.week': '本周帮扶',
    'pair.month': '本月家访',
    'pair.met': '已完成',
    'pair.due': '未完成',
    'pair.missed': '未完成（已过期）',
    'pair.grade': '{stage} {grade} 年级',
    'pair.aid': '本学期资助',
    'pair.record': '记录家访',
    'pair.date': '家访日期',
    'pair.notes': '情况记录（可不填）',
    'pair.photo': '现场照片（可不选）',
    'pair.save': '保存',
    'pair.saved': '已记录 {name} 的家访',
    'pair.program.preschool_aid': '学前资助',
    'pair.program.living_subsidy': '生活补助',
    'pair.program.hs_grant': '普通高中助学金',
    'pair.program.vocational_grant': '中职助学金',
    'pair.program.college_grant': '高校助学金',
  },
  en: {
    'pair.title': 'My paired children',
    'pair.lead': '{school}: each paired child needs at least one help record a week and one home visit a month.',
    'pair.none': 'No children are paired with you yet.',
    'pair.week': 'Help this week',
    'pair.month': 'Home visit this month',
    'pair.met': 'Done',
    'pair.due': 'Not yet',
    'pair.missed': 'Missed',
    'pair.grade': '{stage} grade {grade}',
    'pair.aid': 'Aid this semester',
    'pair.record': 'Record a home visit',
    'pair.date': 'Date of the visit',
    'pair.notes': 'Notes (optional)',
    'pair.photo': 'Photo (optional)',
    'pair.save': 'Save',
    'pair.saved': 'Home visit recorded for {name}',
    'pair.program.preschool_aid': 'Preschool aid',
    'pair.program.living_subsidy': 'Living subsidy',
    'pair.program.hs_grant': 'Senior secondary grant',
    'pair.program.vocational_grant': 'Vocational grant',
    'pair.program.college_grant': 'College grant',
  },
});

const TONES = { met: 'ok', due: 'warn', missed: 'bad' };

export default async function render(page, { refresh }) {
  const mine = await api.get('/api/pairings/mine');
  page.append(
    h('h1', {}, t('pair.title')),
    h('p', { class: 'lead' }, t('pair.lead', { school: mine.schoolName || mine.schoolCode })),
    mine.items.length === 0
      ? h('p', {}, t('pair.none'))
      : h('ul', { class: 'pair-list', 'aria-label': t('pair.title') }, mine.items.map((child) => card(mine, child, refresh))));
}

function status(label, period) {
  const value = period?.status ?? 'due';
  return h('p', { class: 'pair-status' }, h('span', {}, label), ' ', badge(t(`pair.${value}`), TONES[value] ?? 'muted'));
}

function card(mine, child, refresh) {
  const form = h('div', { class: 'pair-form', hidden: true });
  const open = h('button', { type: 'button', class: 'btn btn-primary', 'aria-expanded': 'false' }, t('pair.record'));
  open.addEventListener('click', () => {
    if (!form.firstChild) {
      form.append(...visitForm(mine, child, refresh));
    }
    form.hidden = !form.hidden;
    open.setAttribute('aria-expanded', String(!form.hidden));
  });
  const aid = child.aid.map((a) => `${t(`pair.program.${a.program}`)} ${money(a.amount)}`).join('，');
  return h('li', { class: 'card pair-card', 'data-child': child.childId },
    h('h2', {}, child.name),
    h('p', {}, [t('pair.grade', { stage: child.stage ?? '', grade: child.grade ?? '' }), child.village ? ` · ${child.village}` : '', ' · ', h('code', {}, child.idNumber)]),
    aid ? h('p', {}, `${t('pair.aid')}：${aid}`) : null,
    status(t('pair.week'), child.thisWeek),
    status(t('pair.month'), child.thisMonth),
    open,
    form);
}

function visitForm(mine, child, refresh) {
  const date = h('input', { type: 'date', value: mine.asOf, max: mine.asOf, required: true });
  const notes = h('textarea', { rows: 2, maxlength: 1000 });
  const photo = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp' });
  const errors = h('div', { role: 'alert' });
  const save = h('button', { type: 'button', class: 'btn btn-primary' }, t('pair.save'));
  save.addEventListener('click', async () => {
    save.disabled = true;
    try {
      const file = photo.files?.[0];
      const uploaded = file ? await api.upload('POST', `/api/cycles/${encodeURIComponent(mine.cycleId)}/pairings/photos`, file) : null;
      await api.post(`/api/cycles/${encodeURIComponent(mine.cycleId)}/pairings/records`, {
        childId: child.childId, kind: 'home_visit', date: date.value, notes: notes.value || null, photoSha256: uploaded?.sha256 ?? null,
      });
      toast(t('pair.saved', { name: child.name }));
      await refresh();
    } catch (error) {
      clear(errors, problem(error));
    } finally {
      save.disabled = false;
    }
  });
  return [field(t('pair.date'), date), field(t('pair.notes'), notes), field(t('pair.photo'), photo), errors, save];
}
