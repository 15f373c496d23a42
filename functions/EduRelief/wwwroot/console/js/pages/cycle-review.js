// The cycle's "review" tab: not built yet.
import { t } from '../i18n.js';
import { h } from '../ui.js';

export default async function render(container) {
  container.append(h('h2', {}, t('tab.review')), h('p', { class: 'alert alert-warn' }, 'TODO'));
}
