/**
 * The on-screen watermark (docs/leak-guard.md#watermark): the user's name, the time
 * (Japan time, to the minute) and the terminal's address repeated diagonally over the
 * remote page, so that a screenshot or a phone photo of the screen shows who looked at
 * it and when. Dark text with a light outline stays readable on light and dark pages;
 * it takes no clicks (pointer-events: none). With a list of sites it shows only while
 * the active tab is on one of them.
 */
import { onListedSite } from '../../protocol/host-pattern.js';
import { h } from '../dom-builder.js';

export interface WatermarkSpec {
  /** With {user} and {address} filled in by the gateway; {time} is filled in here. */
  text: string;
  opacity: number;
  density: 'low' | 'normal' | 'high';
  /** Hosts (`*.example.jp` for a domain) it shows on; empty = everywhere. */
  sites: string[];
}

const TILES = { low: { w: 560, h: 320 }, normal: { w: 420, h: 230 }, high: { w: 300, h: 170 } } as const;
const TIME = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

/** `2026/12/02 09:14` in Japan time. */
export function japanMinute(date: Date): string {
  return TIME.format(date);
}

/** Whether a page address is on one of the watermark's sites (no list = every page). */
export const onWatermarkSite = onListedSite;

export class Watermark {
  readonly element: HTMLElement;
  private timer: number | undefined;
  private url = '';
  private label = '';

  constructor(private readonly spec: WatermarkSpec) {
    this.element = h('div', { class: 'watermark', 'aria-hidden': 'true', 'data-watermark': '' });
    this.element.style.opacity = String(spec.opacity);
    this.draw();
    // The time is kept to the minute.
    this.timer = window.setInterval(() => this.draw(), 15_000);
  }

  /** The active tab's address changed. */
  setUrl(url: string): void {
    this.url = url;
    this.element.hidden = !onWatermarkSite(this.spec.sites, url);
  }

  /** The text drawn now (tests and the accessibility tree do not see the SVG). */
  get text(): string {
    return this.label;
  }

  stop(): void {
    window.clearInterval(this.timer);
  }

  private draw(): void {
    const label = this.spec.text.replace(/\{time\}/g, japanMinute(new Date()));
    if (label === this.label) return;
    this.label = label;
    this.element.dataset.watermark = label;
    const { w, h: height } = TILES[this.spec.density];
    // Built as a DOM tree and serialised: the text goes in as text, never as markup.
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('xmlns', ns);
    svg.setAttribute('width', String(w));
    svg.setAttribute('height', String(height));
    const text = document.createElementNS(ns, 'text');
    text.setAttribute('x', String(w / 2));
    text.setAttribute('y', String(height / 2));
    text.setAttribute('text-anchor', 'middle');
    text.setAttribute('transform', `rotate(-22 ${w / 2} ${height / 2})`);
    text.setAttribute('font-family', '"Noto Sans CJK JP", "Yu Gothic", "Meiryo", sans-serif');
    text.setAttribute('font-size', '20');
    text.setAttribute('font-weight', '700');
    text.setAttribute('fill', '#202020');
    text.setAttribute('stroke', '#ffffff');
    text.setAttribute('stroke-width', '3');
    text.setAttribute('paint-order', 'stroke');
    text.textContent = label;
    svg.append(text);
    const source = new XMLSerializer().serializeToString(svg);
    this.element.style.backgroundImage = `url("data:image/svg+xml;charset=utf-8,${encodeURIComponent(source)}")`;
    this.element.style.backgroundSize = `${w}px ${height}px`;
    this.setUrl(this.url);
  }
}
