/**
 * The viewer's start page, edited as the hospital's links: a heading and rows of
 * title + address, each checked where it is typed; the server checks again and its
 * per-field verdicts come back next to the same fields.
 */
import { h } from '../dom-builder.js';
import { t } from '../i18n.js';
import { api, ApiError, withStatus } from './api.js';
import { button, statusLine } from './form-controls.js';
import { fieldError, fieldErrorText, setFieldError, type ServerFieldError } from './field-errors.js';

interface StartLinks {
  heading: string;
  links: Array<{ title: string; url: string }>;
}

interface Row {
  element: HTMLElement;
  title: HTMLInputElement;
  url: HTMLInputElement;
  titleError: HTMLElement;
  urlError: HTMLElement;
}

/** What the viewer accepts as a start link (gateway/admin/start-links.ts). */
export function validStartUrl(text: string): boolean {
  try {
    const u = new URL(text.trim());
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

export function startPageView(): HTMLElement {
  const status = statusLine();
  const heading = h('input', { type: 'text', id: 'start-heading', maxlength: '100' });
  const list = h('ol', { class: 'start-links', id: 'start-links' });
  let rows: Row[] = [];

  const redraw = (): void => {
    rows.forEach((row, i) => {
      row.title.setAttribute('aria-label', `${t('admin.linkN', { n: i + 1 })}: ${t('admin.startTitle')}`);
      row.url.setAttribute('aria-label', `${t('admin.linkN', { n: i + 1 })}: ${t('admin.startUrl')}`);
    });
    list.replaceChildren(...rows.map((r) => r.element));
  };
  const addRow = (link: { title: string; url: string } = { title: '', url: '' }): void => {
    const title = h('input', { type: 'text', maxlength: '100', class: 'start-title' });
    const url = h('input', { type: 'url', maxlength: '2048', class: 'start-url', placeholder: 'https://portal.hospital.local/' });
    title.value = link.title;
    url.value = link.url;
    const titleError = fieldError(title);
    const urlError = fieldError(url);
    const row: Row = { element: h('li'), title, url, titleError, urlError };
    const remove = button(t('admin.removeLink'), () => {
      rows = rows.filter((r) => r !== row);
      redraw();
    }, { class: 'danger' });
    row.element.replaceChildren(h('div', { class: 'start-row' }, [h('span', {}, [title, titleError]), h('span', {}, [url, urlError]), remove]));
    rows.push(row);
    redraw();
  };
  const check = (): boolean => {
    let ok = true;
    for (const row of rows) {
      const titleBad = row.title.value.trim() === '';
      const urlBad = !validStartUrl(row.url.value);
      setFieldError(row.title, row.titleError, titleBad ? t('validation.title') : '');
      setFieldError(row.url, row.urlError, urlBad ? t('validation.startUrl') : '');
      ok &&= !titleBad && !urlBad;
    }
    return ok;
  };
  const load = async (): Promise<void> => {
    const data = await api<StartLinks>('GET', '/api/admin/settings/start-page');
    heading.value = data.heading;
    rows = [];
    data.links.forEach((l) => addRow(l));
    if (data.links.length === 0) redraw();
  };
  const save = button(t('admin.save'), () => {
    if (!check()) {
      status.textContent = t('validation.formHasErrors');
      status.classList.add('error');
      return;
    }
    const body: StartLinks = { heading: heading.value.trim(), links: rows.map((r) => ({ title: r.title.value.trim(), url: r.url.value.trim() })) };
    void withStatus(status, async () => {
      try {
        await api('PUT', '/api/admin/settings/start-page', body);
      } catch (err) {
        const list = err instanceof ApiError ? ((err.body.fieldErrors as ServerFieldError[] | undefined) ?? []) : [];
        for (const fe of list) {
          const m = /^links\.(\d+)\.(title|url)$/.exec(fe.field);
          const row = m ? rows[Number(m[1])] : undefined;
          if (row && m![2] === 'url') setFieldError(row.url, row.urlError, fieldErrorText(fe, { [fe.field]: 'validation.startUrl' }));
          if (row && m![2] === 'title') setFieldError(row.title, row.titleError, fieldErrorText(fe, { [fe.field]: 'validation.title' }));
        }
        if (list.length) throw new ApiError(t('validation.formHasErrors'));
        throw err;
      }
      await load();
    });
  }, { class: 'primary', id: 'save-start-page' });
  void load().catch((err: Error) => (status.textContent = err.message));
  return h('section', { id: 'start-page', class: 'page', 'aria-labelledby': 'start-page-h' }, [
    h('h2', { id: 'start-page-h' }, [t('admin.startPage')]),
    h('p', { class: 'hint' }, [t('admin.startPageNote')]),
    h('div', { class: 'field' }, [h('label', { for: 'start-heading' }, [t('admin.startHeading')]), heading]),
    list,
    button(t('admin.addLink'), () => addRow(), { id: 'add-start-link' }),
    h('div', { class: 'form-actions' }, [save]),
    status,
  ]);
}
