/**
 * Checklist evidence in plain language: each item the Ministry of Health checklist asks
 * about, whether it is in place, its live figures with their names, and a CSV export
 * of that item (or all). Shared by the admin and security consoles.
 */
import { h } from '../dom-builder.js';
import { lang, localized, t } from '../i18n.js';
import { api } from './api.js';

interface Figure {
  key: string;
  label: { ja: string; en: string };
  display: { ja: string; en: string };
  data?: boolean;
}
interface Item {
  id: string;
  title: { ja: string; en: string };
  ok: boolean;
  details: Figure[];
}

function itemCard(item: Item): HTMLElement {
  const headingId = `compliance-${item.id}`;
  return h('section', { class: `card compliance-item ${item.ok ? 'ok' : 'attention'}`, 'aria-labelledby': headingId, 'data-item': item.id }, [
    h('h3', { id: headingId }, [localized(item.title)]),
    h('p', { class: item.ok ? 'compliance-state ok' : 'compliance-state attention' }, [item.ok ? `✓ ${t('compliance.ok')}` : `⚠ ${t('compliance.attention')}`]),
    h('dl', { class: 'facts' }, item.details.flatMap((f) => [h('dt', {}, [localized(f.label)]), h('dd', { 'data-figure': f.key, ...(f.data ? { translate: 'no' } : {}) }, [localized(f.display)])])),
    h('a', { class: 'button secondary', href: `/api/compliance.csv?item=${encodeURIComponent(item.id)}`, download: `kekkai-compliance-${item.id}.csv` }, [t('admin.complianceExportItem')]),
  ]);
}

export function complianceView(): HTMLElement {
  const box = h('div', { class: 'compliance-grid', id: 'compliance-items' }, [h('p', {}, [t('nav.loading')])]);
  const problem = h('p', { class: 'status error', role: 'alert' });
  void api<{ items: Item[] }>('GET', '/api/compliance').then(
    ({ items }) => box.replaceChildren(...items.map(itemCard)),
    (err: Error) => (problem.textContent = err.message),
  );
  return h('section', { id: 'compliance', class: 'page', 'aria-labelledby': 'compliance-h', lang }, [
    h('h2', { id: 'compliance-h' }, [t('compliance.title')]),
    h('p', {}, [t('compliance.intro')]),
    h('a', { href: '/api/compliance.csv', download: 'kekkai-compliance.csv', class: 'button', id: 'compliance-export' }, [t('compliance.exportAll')]),
    problem,
    box,
  ]);
}
