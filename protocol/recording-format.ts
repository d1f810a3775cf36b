/**
 * The container of a session recording (docs/recording.md), shared by the gateway,
 * which writes it, and the security console's player, which reads it. A recording
 * is a sequence of records, each
 *
 *   u8  kind (1 = frame, 2 = event)
 *   u32 milliseconds since the recording started (big-endian)
 *   u32 payload length (big-endian)
 *   …   payload: a frame exactly as the viewer received it (frame-header.ts), or an
 *       event as UTF-8 JSON ({@link RecordingEvent})
 *
 * At rest it is encrypted in chunks (gateway/recording/recording-store.ts); this is
 * the plain form the player receives.
 */

export const RECORD_HEADER_BYTES = 9;
export const RecordKind = { Frame: 1, Event: 2 } as const;
/** Largest payload of one record (a frame is at most a few MiB). */
export const MAX_RECORD_PAYLOAD = 16 * 1024 * 1024;

/** What happened besides the picture. Never typed text or pasted contents: only that it happened. */
export type RecordingEvent =
  | { type: 'navigation'; url: string; title?: string }
  | { type: 'typing' }
  | { type: 'paste'; chars: number }
  | { type: 'copy'; chars: number }
  | { type: 'download'; name: string; state: string }
  | { type: 'upload' }
  | { type: 'leak-guard'; verdict: string; channel: string }
  | { type: 'paused' }
  | { type: 'resumed' };

/** What the recordings list says about one recording (GET /api/security/recordings). */
export interface RecordingSummary {
  id: string;
  userId: number | null;
  userName: string;
  role: string | null;
  sourceIp: string | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number;
  bytes: number;
  frames: number;
  events: number;
  /** Hosts the user visited while recorded. */
  sites: string[];
}

export interface RecordEntry {
  kind: number;
  at: number;
  payload: Uint8Array;
}

/** One record in its binary form. */
export function encodeRecord(kind: number, at: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, kind);
  view.setUint32(1, Math.max(0, Math.min(0xffffffff, Math.round(at))));
  view.setUint32(5, payload.byteLength);
  out.set(payload, RECORD_HEADER_BYTES);
  return out;
}

/** Every record of a recording in order; stops at the first malformed one (a recording cut short by a crash). */
export function* decodeRecords(bytes: Uint8Array): Generator<RecordEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  while (p + RECORD_HEADER_BYTES <= bytes.byteLength) {
    const kind = view.getUint8(p);
    const at = view.getUint32(p + 1);
    const length = view.getUint32(p + 5);
    if ((kind !== RecordKind.Frame && kind !== RecordKind.Event) || length > MAX_RECORD_PAYLOAD || p + RECORD_HEADER_BYTES + length > bytes.byteLength) return;
    yield { kind, at, payload: bytes.subarray(p + RECORD_HEADER_BYTES, p + RECORD_HEADER_BYTES + length) };
    p += RECORD_HEADER_BYTES + length;
  }
}
