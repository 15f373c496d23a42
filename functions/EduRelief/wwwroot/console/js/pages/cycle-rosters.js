// The cycle's "rosters" tab: not built yet.
import { t } from '../i18n.js';
import { h } from '../ui.js';

export default async function render(container) {
  container.append(h('h2', {}, t('tab.rosters')), h('p', { class: 'alert alert-warn' }, 'TODO'));
}
