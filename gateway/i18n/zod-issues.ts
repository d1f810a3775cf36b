/**
 * A zod issue in Japanese, for the file policy's YAML view: what is wrong at a key,
 * in words an IT admin at a hospital reads without knowing the validation library.
 * The English side keeps zod's own message (logs, `?lang=en`).
 */
import type { ZodIssue } from 'zod';

const TYPE_NAMES: Record<string, string> = {
  number: '数値',
  integer: '整数',
  string: '文字列',
  boolean: 'true または false',
  array: '一覧（「- 」で始まる行）',
  object: '項目の集まり（キー: 値）',
};

export function japaneseIssue(issue: ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined') return '必須の項目です';
      return `${TYPE_NAMES[issue.expected] ?? issue.expected}で指定してください`;
    case 'invalid_enum_value':
      return `次のいずれかを指定してください: ${issue.options.join('、')}`;
    case 'too_small':
      return `${String(issue.minimum)} 以上にしてください`;
    case 'too_big':
      return `${String(issue.maximum)} 以下にしてください`;
    case 'unrecognized_keys':
      return `使えない項目があります: ${issue.keys.join('、')}`;
    case 'invalid_string':
      return '形式が正しくありません';
    default:
      return '値が正しくありません';
  }
}

/** `path: message` for each issue, in English (zod's message) and Japanese. */
export function issueLines(issues: readonly ZodIssue[], where: string): { en: string[]; ja: string[] } {
  const at = (i: ZodIssue): string => [where, ...i.path].filter(Boolean).join('.') || '(document)';
  return { en: issues.map((i) => `${at(i)}: ${i.message}`), ja: issues.map((i) => `${at(i)}: ${japaneseIssue(i)}`) };
}
