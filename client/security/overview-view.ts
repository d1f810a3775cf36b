/**
 * Overview for the security officer: blocked downloads today and this week (with a
 * per-day bar chart), the sites and file types blocked most, releases awaiting approval
 * and the audit chain's state. Charts are inline SVG with a text equivalent.
 */
import { h } from '../dom-builder.js';
import { label, t } from '../i18n.js';
import { getJson } from './api.js';
import { status } from './widgets.js';

interface Overview {
  blockedToday: number;
  blockedWeek: number;
  perDay: Array<{ day: string; count: number }>;
  topSites: Array<{ name: string; count: number }>;
  topTypes: Array<{ name: string; count: number }>;
  pendingApprovals: number;
  chain: { ok: boolean; count: number; reason: string | null };
}

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Vertical bars per day, `12/02` under each, the count above. */
function dayChart(days: Overview['perDay'], title: string): SVGSVGElement {
  const width = 420;
  const height = 160;
  const max = Math.max(1, ...days.map((d) => d.count));
  const slot = width / days.length;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `${title}: ${days.map((d) => `${d.day.slice(5).replace('-', '/')} ${t('security.count', { count: d.count })}`).join('、')}`, class: 'chart' });
  days.forEach((d, i) => {
    const barHeight = Math.round((d.count / max) * (height - 50));
    const x = i * slot + slot * 0.2;
    chart.append(
      svg('rect', { x, y: height - 25 - barHeight, width: slot * 0.6, height: barHeight, class: 'bar' }),
      svg('text', { x: x + slot * 0.3, y: height - 30 - barHeight, 'text-anchor': 'middle', class: 'bar-value' }, String(d.count)),
      svg('text', { x: x + slot * 0.3, y: height - 8, 'text-anchor': 'middle', class: 'bar-label' }, d.day.slice(5).replace('-', '/')),
    );
  });
  return chart;
}

/** Horizontal bars for a top-N list, each with its name and count. */
function topChart(items: Overview['topSites'], title: string, name: (n: string) => string): HTMLElement {
  if (items.length === 0) return h('p', {}, [t('security.noData')]);
  const max = Math.max(1, ...items.map((i) => i.count));
  const list = h('ol', { class: 'top-list', 'aria-label': title });
  for (const item of items) {
    const bar = svg('svg', { viewBox: '0 0 100 10', preserveAspectRatio: 'none', class: 'top-bar', 'aria-hidden': 'true', focusable: 'false' });
    bar.append(svg('rect', { x: 0, y: 0, width: Math.max(2, (item.count / max) * 100), height: 10, class: 'bar' }));
    list.append(h('li', {}, [h('span', { class: 'top-name' }, [name(item.name)]), bar, h('span', { class: 'top-count' }, [t('security.count', { count: item.count })])]));
  }
  return list;
}

function card(title: string, body: Node, extra: Record<string, string> = {}): HTMLElement {
  return h('section', { class: 'card', ...extra }, [h('h3', {}, [title]), body]);
}

export function overviewView(root: HTMLElement): void {
  const message = status();
  const grid = h('div', { class: 'overview-grid' });
  root.replaceChildren(h('h2', {}, [t('security.navOverview')]), message, grid);
  void getJson<Overview>('/api/security/overview').then(
    (o) => {
      const big = (n: number, id: string): HTMLElement => h('p', { class: 'big-number', id }, [t('security.count', { count: n })]);
      const chain = o.chain.ok ? t('security.chainIntact', { count: o.chain.count }) : t('security.chainBad', { reason: label('chain', o.chain.reason ?? '') });
      grid.replaceChildren(
        card(t('security.blockedToday'), big(o.blockedToday, 'blocked-today')),
        card(t('security.blockedWeek'), big(o.blockedWeek, 'blocked-week')),
        card(t('security.pendingApprovals'), h('p', { class: 'big-number' }, [h('a', { href: '#approvals', id: 'overview-pending' }, [t('security.count', { count: o.pendingApprovals })])])),
        card(t('security.chain'), h('p', { class: o.chain.ok ? 'chain-status' : 'chain-status bad', id: 'overview-chain' }, [chain])),
        card(t('security.perDay'), dayChart(o.perDay, t('security.perDay')), { class: 'card wide' }),
        card(t('security.topSites'), topChart(o.topSites, t('security.topSites'), (n) => n), { id: 'top-sites', class: 'card' }),
        card(t('security.topTypes'), topChart(o.topTypes, t('security.topTypes'), (n) => n), { id: 'top-types', class: 'card' }),
      );
    },
    (err: Error) => {
      message.textContent = err.message;
      message.classList.add('error');
    },
  );
}
