import type { TypeGroup } from './file-policy.js';

/**
 * The true types the sanitizer recognises. Anything else is reported as `other`
 * (with file-type's guess in the detail) and never allowed.
 */
export const TRUE_TYPES = [
  'pdf', 'jpeg', 'png', 'gif', 'webp', 'bmp', 'tiff', 'svg', 'text', 'csv', 'zip',
  'docx', 'xlsx', 'pptx', 'docm', 'xlsm', 'pptm', 'odt', 'ods', 'odp', 'doc', 'xls', 'ppt', 'rtf',
  'other',
] as const;
/** One of {@link TRUE_TYPES}. */
export type TrueType = (typeof TRUE_TYPES)[number];

interface TypeInfo {
  group: TypeGroup | null;
  mime: string;
  /** Extension used for output names. */
  ext: string;
  /** Name extensions accepted for this true type (lower case, no dot). */
  names: string[];
  macro?: boolean;
}

const OOXML = 'application/vnd.openxmlformats-officedocument';
const ODF = 'application/vnd.oasis.opendocument';

/** Facts about each true type. */
export const TYPE_INFO: Record<TrueType, TypeInfo> = {
  pdf: { group: 'pdf', mime: 'application/pdf', ext: 'pdf', names: ['pdf'] },
  jpeg: { group: 'image', mime: 'image/jpeg', ext: 'jpg', names: ['jpg', 'jpeg', 'jpe', 'jfif'] },
  png: { group: 'image', mime: 'image/png', ext: 'png', names: ['png'] },
  gif: { group: 'image', mime: 'image/gif', ext: 'gif', names: ['gif'] },
  webp: { group: 'image', mime: 'image/webp', ext: 'webp', names: ['webp'] },
  bmp: { group: 'image', mime: 'image/bmp', ext: 'bmp', names: ['bmp', 'dib'] },
  tiff: { group: 'image', mime: 'image/tiff', ext: 'tif', names: ['tif', 'tiff'] },
  svg: { group: 'svg', mime: 'image/svg+xml', ext: 'svg', names: ['svg'] },
  text: { group: 'text', mime: 'text/plain; charset=utf-8', ext: 'txt', names: ['txt', 'text', 'log', 'md', 'csv', 'tsv'] },
  csv: { group: 'csv', mime: 'text/csv; charset=utf-8', ext: 'csv', names: ['csv', 'tsv', 'txt'] },
  zip: { group: 'archive', mime: 'application/zip', ext: 'zip', names: ['zip'] },
  docx: { group: 'office', mime: `${OOXML}.wordprocessingml.document`, ext: 'docx', names: ['docx'] },
  xlsx: { group: 'office', mime: `${OOXML}.spreadsheetml.sheet`, ext: 'xlsx', names: ['xlsx'] },
  pptx: { group: 'office', mime: `${OOXML}.presentationml.presentation`, ext: 'pptx', names: ['pptx', 'ppsx'] },
  docm: { group: 'office', mime: 'application/vnd.ms-word.document.macroEnabled.12', ext: 'docm', names: ['docm'], macro: true },
  xlsm: { group: 'office', mime: 'application/vnd.ms-excel.sheet.macroEnabled.12', ext: 'xlsm', names: ['xlsm'], macro: true },
  pptm: { group: 'office', mime: 'application/vnd.ms-powerpoint.presentation.macroEnabled.12', ext: 'pptm', names: ['pptm', 'ppsm'], macro: true },
  odt: { group: 'office', mime: `${ODF}.text`, ext: 'odt', names: ['odt'] },
  ods: { group: 'office', mime: `${ODF}.spreadsheet`, ext: 'ods', names: ['ods'] },
  odp: { group: 'office', mime: `${ODF}.presentation`, ext: 'odp', names: ['odp'] },
  doc: { group: 'office', mime: 'application/msword', ext: 'doc', names: ['doc'] },
  xls: { group: 'office', mime: 'application/vnd.ms-excel', ext: 'xls', names: ['xls'] },
  ppt: { group: 'office', mime: 'application/vnd.ms-powerpoint', ext: 'ppt', names: ['ppt', 'pps'] },
  rtf: { group: 'office', mime: 'application/rtf', ext: 'rtf', names: ['rtf', 'doc'] },
  other: { group: null, mime: 'application/octet-stream', ext: 'bin', names: [] },
};

/** Whether a name's extension is acceptable for the true type. */
export function extensionMatches(ext: string, type: TrueType): boolean {
  return TYPE_INFO[type].names.includes(ext.toLowerCase());
}
