/**
 * UI language: Japanese by default, English with ?lang=en or when the browser
 * prefers English over Japanese.
 */
export type Lang = 'ja' | 'en';

export function pickLanguage(queryLang: unknown, acceptLanguage: string | undefined): Lang {
  if (queryLang === 'en' || queryLang === 'ja') return queryLang;
  for (const part of (acceptLanguage ?? '').split(',').slice(0, 20)) {
    const tag = part.split(';')[0]!.trim().toLowerCase();
    if (tag.startsWith('ja')) return 'ja';
    if (tag.startsWith('en')) return 'en';
  }
  return 'ja';
}
