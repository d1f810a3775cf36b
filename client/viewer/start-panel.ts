/**
 * The hospital's start page (admin console → ブラウザの開始ページ): its links over a
 * blank tab. Choosing one navigates the remote browser, so the URL policy decides as
 * for any address typed in the toolbar. Hidden as soon as the tab shows a page.
 */
import type { ClientMessage } from '../../protocol/index.js';
import { h } from '../dom-builder.js';

interface StartLinks {
  heading: string;
  links: Array<{ title: string; url: string }>;
}

export class StartPanel {
  readonly element = h('section', { class: 'start-panel', id: 'start-panel', hidden: true });
  private links: StartLinks = { heading: '', links: [] };
  private blank = true;

  constructor(private readonly send: (msg: ClientMessage) => void) {}

  /** Reads the links once; an error leaves the panel hidden (a blank tab, as before). */
  async load(): Promise<void> {
    const res = await fetch('/api/start-page', { credentials: 'same-origin' }).catch(() => null);
    if (!res?.ok) return;
    this.links = (await res.json()) as StartLinks;
    this.draw();
  }

  /** The active tab's address: the panel shows only over a blank tab. */
  update(url: string, loading: boolean): void {
    this.blank = (url === '' || url === 'about:blank') && !loading;
    this.element.hidden = !this.blank || this.links.links.length === 0;
  }

  private draw(): void {
    const items = this.links.links.map((link) => {
      const open = h('button', { type: 'button', class: 'start-link' }, [link.title, h('span', { class: 'start-address', translate: 'no' }, [link.url])]);
      open.addEventListener('click', () => this.send({ type: 'navigate', url: link.url }));
      return h('li', {}, [open]);
    });
    this.element.replaceChildren(...(this.links.heading ? [h('h2', {}, [this.links.heading])] : []), h('ul', {}, items));
    if (this.links.heading) this.element.setAttribute('aria-label', this.links.heading);
    this.element.hidden = !this.blank || this.links.links.length === 0;
  }
}
