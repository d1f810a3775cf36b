/** Pure helpers over a message table (no DOM), shared by i18n.ts and the unit tests. */
export type Lang = 'ja' | 'en';

/** The message for `key` with {placeholders} filled in; a missing parameter becomes empty. */
export function fillMessage<K extends string>(table: Readonly<Record<K, string>>, key: K, params: Record<string, string | number> = {}): string {
  return table[key].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}

/** The placeholders a message uses, e.g. ['name', 'role']. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}
