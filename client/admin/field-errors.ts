/**
 * Field-level errors: a message right under the field, tied to it with
 * aria-describedby and aria-invalid, so the reader sees what is allowed where they type.
 * Server replies with `fieldErrors` (gateway/http/admin-context.http.ts) map here too.
 */
import { h } from '../dom-builder.js';
import { t, type MessageKey } from '../i18n.js';

let counter = 0;

/** An (empty) error line for a control; place it next to the control. */
export function fieldError(control: HTMLElement): HTMLElement {
  if (!control.id) control.id = `fe${++counter}`;
  const el = h('p', { class: 'field-error', id: `${control.id}-error`, 'aria-live': 'polite' });
  const described = control.getAttribute('aria-describedby');
  control.setAttribute('aria-describedby', described ? `${described} ${el.id}` : el.id);
  return el;
}

export function setFieldError(control: HTMLElement, error: HTMLElement, text: string): void {
  error.textContent = text;
  if (text) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

/** One field error the server sent: which field, which rule it broke. */
export interface ServerFieldError {
  field: string;
  rule: 'number' | 'type' | 'pattern' | 'max' | 'min' | 'enum' | 'required' | 'custom';
  limit?: number;
}

/** A server field error as a Japanese (or English) message; field-specific messages win. */
export function fieldErrorText(err: ServerFieldError, specific: Partial<Record<string, MessageKey>> = {}): string {
  const key = specific[err.field];
  if (key) return t(key, { max: err.limit ?? '', min: err.limit ?? '' });
  switch (err.rule) {
    case 'number':
      return t('validation.number');
    case 'max':
      return t('validation.tooLong', { max: err.limit ?? '' });
    case 'enum':
      return t('validation.choice');
    default:
      return t('validation.required');
  }
}
