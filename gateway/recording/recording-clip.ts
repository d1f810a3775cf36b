/**
 * A part of a recording (protocol/recording-format.ts) for export: the records from
 * `fromMs` to `toMs`, starting with the last whole picture before `fromMs` (moved to
 * `fromMs`) so the clip opens on what was on screen, and the last navigation before
 * it, so the clip says which page that was.
 */
import { isKeyFrame } from '../../protocol/index.js';
import { decodeRecords, encodeRecord, RecordKind, type RecordEntry } from '../../protocol/recording-format.js';

export function clipRecords(data: Uint8Array, fromMs: number, toMs: number): Buffer {
  const out: Uint8Array[] = [];
  let lastPicture: RecordEntry | null = null;
  let lastNavigation: RecordEntry | null = null;
  let opened = false;
  for (const record of decodeRecords(data)) {
    if (record.at < fromMs) {
      if (record.kind === RecordKind.Frame && isKeyFrame(record.payload)) lastPicture = record;
      if (record.kind === RecordKind.Event && isNavigation(record.payload)) lastNavigation = record;
      continue;
    }
    if (record.at > toMs) break;
    if (!opened) {
      opened = true;
      if (lastNavigation) out.push(encodeRecord(RecordKind.Event, fromMs, lastNavigation.payload));
      if (lastPicture) out.push(encodeRecord(RecordKind.Frame, fromMs, lastPicture.payload));
    }
    out.push(encodeRecord(record.kind, record.at, record.payload));
  }
  if (!opened) {
    if (lastNavigation) out.push(encodeRecord(RecordKind.Event, fromMs, lastNavigation.payload));
    if (lastPicture) out.push(encodeRecord(RecordKind.Frame, fromMs, lastPicture.payload));
  }
  return Buffer.concat(out);
}

function isNavigation(payload: Uint8Array): boolean {
  try {
    return (JSON.parse(new TextDecoder().decode(payload)) as { type?: unknown }).type === 'navigation';
  } catch {
    return false;
  }
}
