import type { Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';

/**
 * Characters that make a name look different from what it is: bidi embeddings,
 * overrides and isolates (U+202E turns "invoice‮fdp.exe" into "invoiceexe.pdf"), bidi
 * marks, zero-width and other invisible characters, line separators and controls.
 */
// eslint-disable-next-line no-control-regex, no-misleading-character-class
const DECEPTIVE = /[\u0000-\u001f\u007f-\u009f\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb]/u;

/** A checked name split into base and extension (lower case, no dot; '' when none). */
export interface CheckedName {
  base: string;
  ext: string;
}

/** The last path component, whichever separator the source used. */
export function lastComponent(name: string): string {
  const parts = name.split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}

/** Refuse deceptive names; otherwise split into base and extension. */
export function checkName(name: string): Outcome<CheckedName> {
  const m = DECEPTIVE.exec(name);
  if (m) {
    const cp = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return refuse('deceptive-name', `name contains U+${cp}`);
  }
  const last = lastComponent(name).replace(/[. ]+$/, '');
  const dot = last.lastIndexOf('.');
  if (dot <= 0) return pass({ base: last, ext: '' });
  return pass({ base: last.slice(0, dot), ext: last.slice(dot + 1).toLowerCase() });
}

/**
 * The name to give the sanitized output: the original base with the output type's
 * extension (form.xlsx → form.pdf). Characters Windows cannot store are replaced.
 */
export function outputName(original: CheckedName, outExt: string, originalExt = original.ext): string {
  const base = (original.base || 'download').replace(/[<>:"/\\|?*]/g, '_').slice(0, 180);
  if (originalExt && TYPE_EQUIVALENT_EXT[outExt]?.includes(originalExt)) return `${base}.${originalExt}`;
  return `${base}.${outExt}`;
}

// Keep the user's spelling of an extension when it means the same type (photo.jpeg stays .jpeg).
const TYPE_EQUIVALENT_EXT: Record<string, string[]> = {
  jpg: ['jpg', 'jpeg', 'jpe', 'jfif'],
  tif: ['tif', 'tiff'],
  txt: ['txt', 'text', 'log', 'md'],
  csv: ['csv', 'tsv'],
};
