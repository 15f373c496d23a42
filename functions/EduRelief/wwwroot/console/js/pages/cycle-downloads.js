// The cycle's "downloads" tab: not built yet.
import { t } from '../i18n.js';
import { h } from '../ui.js';

export default async function render(container) {
  container.append(h('h2', {}, t('tab.downloads')), h('p', { class: 'alert alert-warn' }, 'TODO'));
}
