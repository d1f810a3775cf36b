import { describe, expect, it } from 'vitest';
import { describeChanges, referenceOf, referencePrefix } from '../../../../gateway/downloads/download-changes.js';

describe('what the download panel says was done', () => {
  it('says it in plain Japanese and English', () => {
    expect(describeChanges([{ kind: 'converted', from: 'docx', to: 'pdf' }])).toEqual([{ ja: 'Word 文書を PDF に変換しました', en: 'Converted the Word document to PDF' }]);
    expect(describeChanges([{ kind: 'text-reencoded', from: 'shift_jis' }, { kind: 'formulas-neutralised', count: 3 }]).map((l) => l.ja)).toEqual([
      '文字コードを Shift_JIS から UTF-8 に変換しました',
      '数式として働くセル 3 件を文字として扱うようにしました',
    ]);
    expect(describeChanges([{ kind: 'rendered-as-images', pages: 4 }])[0]!.ja).toContain('文字の選択や検索はできません');
    expect(describeChanges([{ kind: 'converted', from: 'gif', to: 'png' }])[0]!.ja).toBe('GIF 画像を PNG 画像に変換しました');
  });

  it('lists what a spreadsheet rebuild removed, one line each', () => {
    const lines = describeChanges([
      { kind: 'spreadsheet-rebuilt', from: 'xlsm', sheets: 2 },
      { kind: 'macros-removed' },
      { kind: 'hidden-sheets-removed', count: 1 },
      { kind: 'links-removed', count: 2 },
      { kind: 'formulas-replaced', count: 5, by: 'values' },
      { kind: 'hyperlinks-removed', count: 3 },
      { kind: 'objects-removed', count: 1 },
      { kind: 'formulas-neutralised', count: 1 },
    ]);
    expect(lines.map((l) => l.ja)).toEqual([
      'マクロ付き Excel ブックを、値と書式だけの新しい Excel ブック（.xlsx）に作り直しました（シート 2 枚）',
      'マクロを削除しました',
      '非表示のシート 1 枚を削除しました（中のデータは含まれていません）',
      '外部ファイルへのリンク 2 件を削除しました',
      '数式 5 件を計算済みの値に置き換えました',
      'ハイパーリンク 3 件を削除しました（文字は残っています）',
      '埋め込みオブジェクト・図・コメントなど 1 件を削除しました',
      '数式として働くセル 1 件を文字として扱うようにしました',
    ]);
    expect(lines[0]!.en).toBe('Rebuilt the macro-enabled Excel workbook as a new Excel workbook (.xlsx) with values and formatting only (2 sheet(s))');
    expect(describeChanges([{ kind: 'formulas-replaced', count: 2, by: 'empty' }])[0]!.ja).toBe('数式 2 件を削除しました（セルは空欄です）');
  });

  it('says whether a rebuilt PDF can still be searched, and what it left out', () => {
    expect(describeChanges([{ kind: 'rendered-as-images', pages: 4, textLayerPages: 4 }])[0]).toEqual({
      ja: 'ページを画像にして PDF を作り直しました（4 ページ）。文字の検索とコピーはできます',
      en: 'Rebuilt the PDF from images of its 4 page(s); its text can still be searched and copied',
    });
    expect(describeChanges([{ kind: 'rendered-as-images', pages: 4, textLayerPages: 1 }])[0]!.ja).toContain('文字の検索とコピーができるのは 1 ページです');
    expect(describeChanges([{ kind: 'pdf-content-removed', javascript: 2, attachments: 1, annotations: 0, form: true }])[0]).toEqual({
      ja: 'PDF からスクリプト 2 件、添付ファイル 1 件、入力フォームを取り除きました',
      en: 'Removed 2 script(s), 1 attached file(s), the fill-in form from the PDF',
    });
  });

  it('still says something when nothing had to change', () => {
    expect(describeChanges([])).toHaveLength(1);
    expect(describeChanges(undefined)[0]!.en).toBe('Scanned for malware and rebuilt');
  });
});

describe('reference numbers', () => {
  it('are the first 8 hex digits of the quarantine id, and find it again', () => {
    expect(referenceOf('3f2a91c4-0b1e-4c2d-9a8b-123456789abc')).toBe('3F2A-91C4');
    expect(referencePrefix('3F2A-91C4')).toBe('3f2a91c4');
    expect(referencePrefix(' 3f2a91c4 ')).toBe('3f2a91c4');
    expect(referencePrefix('form.pdf')).toBeNull();
  });
});
