/**
 * What the sanitizer did to a download, in plain Japanese and English for the
 * download panel ("Word 文書を PDF に変換しました", "文字コードを Shift_JIS から
 * UTF-8 に変換しました"), and the short reference number staff quote to the help
 * desk, which the security console finds the quarantine record by.
 */
import type { LocalizedText } from '../../protocol/index.js';
import type { Change, TrueType } from '../../sanitizer/index.js';

const TYPE_NAMES: Partial<Record<TrueType, LocalizedText>> = {
  pdf: { ja: 'PDF', en: 'PDF' },
  png: { ja: 'PNG 画像', en: 'PNG image' },
  jpeg: { ja: 'JPEG 画像', en: 'JPEG image' },
  gif: { ja: 'GIF 画像', en: 'GIF image' },
  webp: { ja: 'WebP 画像', en: 'WebP image' },
  bmp: { ja: 'BMP 画像', en: 'BMP image' },
  tiff: { ja: 'TIFF 画像', en: 'TIFF image' },
  svg: { ja: 'SVG 画像', en: 'SVG image' },
  zip: { ja: 'ZIP', en: 'ZIP' },
  text: { ja: 'テキスト', en: 'text' },
  csv: { ja: 'CSV', en: 'CSV' },
};
const WORD = { ja: 'Word 文書', en: 'Word document' };
const EXCEL = { ja: 'Excel ブック', en: 'Excel workbook' };
const POWERPOINT = { ja: 'PowerPoint プレゼンテーション', en: 'PowerPoint presentation' };
const OFFICE_NAMES: Partial<Record<TrueType, LocalizedText>> = {
  docx: WORD, docm: WORD, doc: WORD, rtf: WORD, odt: { ja: '文書（ODF）', en: 'ODF document' },
  xlsx: EXCEL, xlsm: { ja: 'マクロ付き Excel ブック', en: 'macro-enabled Excel workbook' }, xls: EXCEL, ods: { ja: '表計算（ODF）', en: 'ODF spreadsheet' },
  pptx: POWERPOINT, pptm: POWERPOINT, ppt: POWERPOINT, odp: { ja: 'プレゼンテーション（ODF）', en: 'ODF presentation' },
};

function typeName(type: TrueType): LocalizedText {
  return OFFICE_NAMES[type] ?? TYPE_NAMES[type] ?? { ja: 'ファイル', en: 'file' };
}

/** Joins Japanese phrases, with a space only where Latin letters or digits meet Japanese text ("Word 文書を PDF に"). */
function ja(...parts: string[]): string {
  const latin = /[A-Za-z0-9_]/;
  return parts.reduce((out, part) => {
    const meet = out && part && latin.test(out.at(-1)!) !== latin.test(part[0]!);
    return out + (meet ? ' ' : '') + part;
  }, '');
}

/** A PDF rebuilt from images with a searchable text layer on some or all pages. */
function textLayerLine(pages: number, textPages: number): LocalizedText {
  const all = textPages >= pages;
  return {
    ja: all
      ? `ページを画像にして PDF を作り直しました（${pages} ページ）。文字の検索とコピーはできます`
      : `ページを画像にして PDF を作り直しました（${pages} ページ）。文字の検索とコピーができるのは ${textPages} ページです（文字のない画像のページは除く）`,
    en: all
      ? `Rebuilt the PDF from images of its ${pages} page(s); its text can still be searched and copied`
      : `Rebuilt the PDF from images of its ${pages} page(s); text can be searched and copied on ${textPages} of them (pages that are only images have none)`,
  };
}

/** What a rebuilt PDF left out: scripts, attachments, annotations, a form. */
function pdfRemovedLine(c: Extract<Change, { kind: 'pdf-content-removed' }>): LocalizedText {
  const items: LocalizedText[] = [];
  if (c.javascript) items.push({ ja: `スクリプト ${c.javascript} 件`, en: `${c.javascript} script(s)` });
  if (c.attachments) items.push({ ja: `添付ファイル ${c.attachments} 件`, en: `${c.attachments} attached file(s)` });
  if (c.annotations) items.push({ ja: `リンクや注釈 ${c.annotations} 件`, en: `${c.annotations} link(s) or annotation(s)` });
  if (c.form) items.push({ ja: '入力フォーム', en: 'the fill-in form' });
  return { ja: `PDF から${items.map((i) => i.ja).join('、')}を取り除きました`, en: `Removed ${items.map((i) => i.en).join(', ')} from the PDF` };
}

const ENCODINGS: Record<string, string> = { shift_jis: 'Shift_JIS', 'utf-16le': 'UTF-16', 'utf-16be': 'UTF-16', 'utf-8': 'UTF-8' };

function describe(change: Change): LocalizedText {
  switch (change.kind) {
    case 'converted': {
      const from = typeName(change.from);
      const to = typeName(change.to);
      return { ja: ja(from.ja, 'を', to.ja, 'に変換しました'), en: `Converted the ${from.en} to ${to.en}` };
    }
    case 'rendered-as-images':
      if (change.textLayerPages) return textLayerLine(change.pages, change.textLayerPages);
      return {
        ja: `ページを画像にして PDF を作り直しました（${change.pages} ページ）。文字の選択や検索はできません`,
        en: `Rebuilt the PDF from images of its ${change.pages} page(s); its text cannot be selected or searched`,
      };
    case 'pdf-content-removed':
      return pdfRemovedLine(change);
    case 'image-reencoded':
      return { ja: '画像を作り直し、撮影情報などの付随データを削除しました', en: 'Rebuilt the image without its metadata (camera and location data)' };
    case 'first-frame-only':
      return { ja: 'アニメーションは最初のコマだけを残しました', en: 'Kept only the first frame of the animation' };
    case 'text-reencoded': {
      const from = ENCODINGS[change.from] ?? change.from;
      return { ja: ja('文字コードを', from, 'から', 'UTF-8', 'に変換しました'), en: `Converted the character encoding from ${from} to UTF-8` };
    }
    case 'formulas-neutralised':
      return { ja: ja('数式として働くセル', String(change.count), '件を文字として扱うようにしました'), en: `Made ${change.count} formula cell(s) plain text` };
    case 'links-removed':
      return { ja: ja('外部ファイルへのリンク', String(change.count), '件を削除しました'), en: `Removed ${change.count} link(s) to external files` };
    case 'archive-rebuilt':
      return { ja: ja('ZIP', 'の中の', String(change.members), '件のファイルをそれぞれ無害化して作り直しました'), en: `Sanitized the ${change.members} file(s) inside the ZIP and rebuilt it` };
    case 'spreadsheet-rebuilt': {
      const from = typeName(change.from);
      return {
        ja: ja(from.ja, 'を、値と書式だけの新しい', 'Excel', 'ブック（.xlsx）に作り直しました（シート', String(change.sheets), '枚）'),
        en: `Rebuilt the ${from.en} as a new Excel workbook (.xlsx) with values and formatting only (${change.sheets} sheet(s))`,
      };
    }
    case 'macros-removed':
      return { ja: 'マクロを削除しました', en: 'Removed the macros' };
    case 'hidden-sheets-removed':
      return { ja: ja('非表示のシート', String(change.count), '枚を削除しました（中のデータは含まれていません）'), en: `Removed ${change.count} hidden sheet(s) and their data` };
    case 'hyperlinks-removed':
      return { ja: ja('ハイパーリンク', String(change.count), '件を削除しました（文字は残っています）'), en: `Removed ${change.count} hyperlink(s); their text remains` };
    case 'formulas-replaced':
      return change.by === 'values'
        ? { ja: ja('数式', String(change.count), '件を計算済みの値に置き換えました'), en: `Replaced ${change.count} formula(s) with their computed values` }
        : { ja: ja('数式', String(change.count), '件を削除しました（セルは空欄です）'), en: `Removed ${change.count} formula(s); their cells are empty` };
    case 'objects-removed':
      return { ja: ja('埋め込みオブジェクト・図・コメントなど', String(change.count), '件を削除しました'), en: `Removed ${change.count} embedded object(s), drawing(s) or comment(s)` };
  }
}

/** Most lines the panel shows for one download (a rebuilt spreadsheet can list eight things). */
const MAX_LINES = 8;

/** The lines the download panel shows for a sanitized file; one line even when nothing had to change. */
export function describeChanges(changes: readonly Change[] | undefined): LocalizedText[] {
  const lines = (changes ?? []).slice(0, MAX_LINES).map(describe);
  return lines.length > 0 ? lines : [{ ja: 'ウイルス検査を行い、内容を作り直しました', en: 'Scanned for malware and rebuilt' }];
}

/** The reference number of a quarantine record: the first 8 hex digits of its id, as `1A2B-3C4D`. */
export function referenceOf(quarantineId: string): string {
  const hex = quarantineId.replace(/[^0-9a-fA-F]/g, '').slice(0, 8).toUpperCase().padEnd(8, '0');
  return `${hex.slice(0, 4)}-${hex.slice(4)}`;
}

/** The quarantine id prefix (lower-case hex) a typed reference number stands for, or null. */
export function referencePrefix(text: string): string | null {
  const m = /^\s*([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})\s*$/.exec(text);
  return m ? `${m[1]}${m[2]}`.toLowerCase() : null;
}
