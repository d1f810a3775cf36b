/**
 * A sanitized output may not be much larger than its input: a 0.6 MB PDF of noise
 * rasterised into ~170 MB is a way to fill the gateway's disk and the user's link, not
 * a document. Over max(ratio × input, floor) the file is rebuilt once at half the DPI
 * (rasterised pages dominate the size); if that is still too large it is refused.
 */
import type { FilePolicy, SanitizeInput, Verdict } from '../../sanitizer/index.js';
import type { JobStage, SanitizeFn } from './stage-reporting.js';

export interface OutputBound {
  /** Largest output as a multiple of the input. */
  ratio: number;
  /** Outputs up to this size are always fine (small inputs legitimately grow). */
  floorBytes: number;
}

export const DEFAULT_OUTPUT_BOUND: OutputBound = { ratio: 20, floorBytes: 64 * 1024 * 1024 };

/** Lowest DPI a retry goes down to. */
const MIN_DPI = 72;

export function outputLimit(inputBytes: number, bound: OutputBound): number {
  return Math.max(bound.ratio * inputBytes, bound.floorBytes);
}

/** The verdict, and when the output stayed over the limit, why (the job is then blocked `output-too-large`). */
export async function sanitizeBounded(
  sanitize: SanitizeFn,
  input: SanitizeInput & { bytes: Uint8Array },
  policy: FilePolicy,
  onStage: (stage: JobStage) => void,
  bound: OutputBound,
): Promise<{ verdict: Verdict; overLimit?: string }> {
  const limit = outputLimit(input.bytes.byteLength, bound);
  const first = await sanitize(input, policy, onStage);
  if (first.verdict !== 'sanitized' || first.output.bytes.byteLength <= limit) return { verdict: first };
  const size = first.output.bytes.byteLength;
  if (first.output.trueType !== 'pdf' || policy.pdfDpi <= MIN_DPI) {
    return { verdict: first, overLimit: `output ${size} bytes over the limit ${limit} (input ${input.bytes.byteLength} bytes)` };
  }
  const dpi = Math.max(MIN_DPI, Math.floor(policy.pdfDpi / 2));
  const retry = await sanitize(input, { ...policy, pdfDpi: dpi }, onStage);
  if (retry.verdict !== 'sanitized' || retry.output.bytes.byteLength <= limit) return { verdict: retry };
  return {
    verdict: retry,
    overLimit: `output ${size} bytes at ${policy.pdfDpi} dpi and ${retry.output.bytes.byteLength} bytes at ${dpi} dpi, over the limit ${limit} (input ${input.bytes.byteLength} bytes)`,
  };
}
