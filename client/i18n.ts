/**
 * The browser pages' words: one message table per language (messages/ja.ts, messages/en.ts),
 * picked by <html lang>, which the server sets from ?lang=en or the browser's preference.
 * Enum values, reason codes, audit events and processing steps go through `label`, so no
 * raw code reaches the Japanese UI.
 */
import { EN } from './messages/en.js';
import { JA, type MessageKey } from './messages/ja.js';
import { fillMessage, type Lang } from './messages/fill.js';

export type { Lang, MessageKey };
/** Kept for the viewer's modules that name their keys. */
export type StringKey = MessageKey;

export const lang: Lang = document.documentElement.lang === 'en' ? 'en' : 'ja';

/** The message for `key` in the UI language, with {placeholders} filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return fillMessage(lang === 'en' ? EN : JA, key, params);
}

/** Picks the UI language's half of a bilingual server message. */
export function localized(message: { ja: string; en: string }): string {
  return message[lang];
}

/** Families of coded values that have a label in the table (`enum.action.block`, `reason.infected`, …). */
export type LabelFamily =
  | 'enum.action'
  | 'enum.match'
  | 'enum.role'
  | 'enum.authSource'
  | 'enum.outcome'
  | 'enum.verdict'
  | 'event'
  | 'reason'
  | 'step'
  | 'chain'
  | 'file.group'
  | 'file.field'
  | 'file.option';

/** The label of a coded value; an unknown code (a newer server) is shown as it is. */
export function label(family: LabelFamily, code: string): string {
  const key = `${family}.${code}`;
  return key in JA ? t(key as MessageKey) : code;
}

/** The ?lang= suffix that keeps the UI language across links. */
export function langQuery(): string {
  return lang === 'en' ? '?lang=en' : '';
}
