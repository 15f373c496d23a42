import { t, strings } from '../i18n.js';
import { api } from '../api.js';
import { useApiKey, startEntraSignIn, takeExpiredNotice, takeSignInError, signOut } from '../auth.js';
import { session } from '../app.js';
import { h, field, problem } from '../ui.js';

strings({
  zh: {
    'signin.title': '登录',
    'signin.lead': '县教育局、学校资助专干和督查人员使用本系统办理学生资助。',
    'signin.entra': '使用统一身份认证登录（Microsoft Entra ID）',
    'signin.or': '或使用访问密钥',
    'signin.key': '访问密钥（API Key）',
    'signin.keyHint': '密钥由教育局管理员发放，只保存在本浏览器标签页中，关闭即失效。',
    'signin.submit': '登录',
    'signin.expired': '登录已失效，请重新登录。',
    'signin.keyRequired': '请输入访问密钥。',
    'signin.entraFailed': '统一身份认证登录未成功，请重试或联系管理员：',
  },
  en: {
    'signin.title': 'Sign in',
    'signin.lead': 'The county bureau, school aid officers and inspectors use this console for student aid.',
    'signin.entra': 'Sign in with Microsoft Entra ID',
    'signin.or': 'or with an access key',
    'signin.key': 'Access key (API key)',
    'signin.keyHint': 'Keys are issued by the bureau administrator. It is kept in this browser tab only and forgotten when the tab closes.',
    'signin.submit': 'Sign in',
    'signin.expired': 'Your sign-in has expired. Please sign in again.',
    'signin.keyRequired': 'Enter an access key.',
    'signin.entraFailed': 'The Entra ID sign-in did not succeed. Try again or ask the administrator:',
  },
});

export default async function render(page, { query, config, navigate }) {
  session.me = null;
  const next = query.get('next') || '/cycles';
  const errors = h('div', { 'aria-live': 'polite' });
  if (takeExpiredNotice()) {
    errors.append(h('div', { class: 'alert alert-warn', role: 'alert' }, t('signin.expired')));
  }
  const entraError = takeSignInError();
  if (entraError) {
    errors.append(h('div', { class: 'alert alert-bad', role: 'alert' }, h('p', {}, t('signin.entraFailed')), h('p', { lang: 'en' }, entraError)));
  }

  const keyInput = h('input', { type: 'password', name: 'apiKey', autocomplete: 'off', required: true, spellcheck: 'false' });
  const form = h('form', { class: 'signin-form', novalidate: true },
    field(t('signin.key'), keyInput, t('signin.keyHint')),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('signin.submit')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (!key) {
      errors.replaceChildren(h('div', { class: 'alert alert-bad', role: 'alert' }, t('signin.keyRequired')));
      keyInput.focus();
      return;
    }
    useApiKey(key);
    try {
      session.me = await api.get('/api/me');
      navigate(next);
    } catch (error) {
      signOut();
      errors.replaceChildren(problem(error));
      keyInput.focus();
    }
  });

  page.append(h('div', { class: 'signin' },
    h('h1', {}, t('signin.title')),
    h('p', { class: 'lead' }, t('signin.lead')),
    errors,
    config.entra ? [h('button', { type: 'button', class: 'btn btn-primary btn-wide', onclick: () => startEntraSignIn(config.entra, next) }, t('signin.entra')), h('p', { class: 'or' }, t('signin.or'))] : null,
    form));
}
