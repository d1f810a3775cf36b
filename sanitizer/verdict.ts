import type { ReasonCode } from './reasons.js';
import { reasonMessage } from './reasons.js';
import type { TrueType } from './type-table.js';

/** The stages of the pipeline, in order; recorded in {@link Step}. */
export type Stage = 'name' | 'type' | 'limits' | 'scan' | 'reconstruct' | 'recheck';

/** One entry of the audit trail attached to every verdict. */
export interface Step {
  stage: Stage;
  /** Human-readable, English, for logs and the security console. */
  detail: string;
  /** Wall-clock milliseconds the stage took. */
  ms: number;
}

/**
 * What reconstruction did to a file, so that the user can be told in plain words
 * (the gateway's download panel: "Word 文書を PDF に変換しました").
 */
export type Change =
  /** The file became another type: Office → PDF, BMP/GIF/TIFF/SVG → PNG, multi-page TIFF → PDF. */
  | { kind: 'converted'; from: TrueType; to: TrueType }
  /**
   * A PDF rebuilt from page images. Without `textLayerPages` its text can no longer be
   * selected or searched; with it, that many pages carry an invisible text layer rebuilt
   * from the extracted text (search and copy work, nothing of the input's fonts kept).
   */
  | { kind: 'rendered-as-images'; pages: number; textLayerPages?: number }
  /** Active or hidden content of a PDF left out of the rebuilt one (only non-zero counts are meaningful). */
  | { kind: 'pdf-content-removed'; javascript: number; attachments: number; annotations: number; form: boolean }
  /** An image decoded and encoded afresh, without its metadata. */
  | { kind: 'image-reencoded' }
  /** Only the first frame of an animation was kept. */
  | { kind: 'first-frame-only' }
  /** Text re-encoded to UTF-8 from `from` (e.g. Shift_JIS). */
  | { kind: 'text-reencoded'; from: string }
  /** Spreadsheet formulas in CSV cells made inert. */
  | { kind: 'formulas-neutralised'; count: number }
  /** Links to external files removed from an Office document. */
  | { kind: 'links-removed'; count: number }
  /** An archive rebuilt from its sanitized members. */
  | { kind: 'archive-rebuilt'; members: number }
  /**
   * A spreadsheet (xlsx/xlsm, or xls/ods/csv by policy) rebuilt as a new editable .xlsx:
   * visible sheets' values, number formats, basic styles and merged cells only.
   */
  | { kind: 'spreadsheet-rebuilt'; from: TrueType; sheets: number }
  /** VBA macros left out of the rebuilt file. */
  | { kind: 'macros-removed' }
  /** Hidden and very hidden sheets left out of the rebuilt workbook, their data with them. */
  | { kind: 'hidden-sheets-removed'; count: number }
  /** Hyperlinks removed; their cells keep the text. */
  | { kind: 'hyperlinks-removed'; count: number }
  /** Formula cells replaced by their last computed values, or emptied (policy `formulas: drop`). */
  | { kind: 'formulas-replaced'; count: number; by: 'values' | 'empty' }
  /** Embedded (OLE) objects, ActiveX controls, drawings, charts, images and comments left out. */
  | { kind: 'objects-removed'; count: number };

/** The rebuilt file that may be released to the user. */
export interface SanitizedFile {
  /** Original base name with the extension of the output type (form.xlsx → form.pdf). */
  name: string;
  mimeType: string;
  /** True type of the output bytes. */
  trueType: TrueType;
  bytes: Uint8Array;
}

/** A file that passed: only `output` may ever reach the internal network. */
export interface SanitizedVerdict {
  verdict: 'sanitized';
  /** True type of the input. */
  inputType: TrueType;
  output: SanitizedFile;
  /**
   * What was done to the top-level file (members of an archive are not listed). The
   * pipeline always fills it; verdicts made elsewhere (test fakes) may leave it out.
   */
  changes?: Change[];
  steps: Step[];
}

/** A file that did not pass, with one stable reason code. */
export interface BlockedVerdict {
  verdict: 'blocked';
  reason: ReasonCode;
  message: { ja: string; en: string };
  /** Antivirus signature name when the scanner reported one. */
  signature?: string;
  /** True type of the input when it was known before blocking. */
  inputType?: TrueType;
  /** English detail for the security team (never shown to staff). */
  detail: string;
  steps: Step[];
}

/** Final result of {@link sanitize}. */
export type Verdict = SanitizedVerdict | BlockedVerdict;

/** Why a stage refused the file; turned into a {@link BlockedVerdict} by the pipeline. */
export interface Block {
  reason: ReasonCode;
  detail: string;
  signature?: string;
}

/** Result of a stage: a value, or a block. Blocks are values, not exceptions. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; block: Block };

/** Successful {@link Outcome}. */
export function pass<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

/** Blocking {@link Outcome}. */
export function refuse<T = never>(reason: ReasonCode, detail: string, signature?: string): Outcome<T> {
  return { ok: false, block: signature === undefined ? { reason, detail } : { reason, detail, signature } };
}

/** Build the final blocked verdict from a block. */
export function blockedVerdict(block: Block, steps: Step[], inputType?: TrueType): BlockedVerdict {
  const v: BlockedVerdict = { verdict: 'blocked', reason: block.reason, message: reasonMessage(block.reason), detail: block.detail, steps };
  if (block.signature !== undefined) v.signature = block.signature;
  if (inputType !== undefined) v.inputType = inputType;
  return v;
}
