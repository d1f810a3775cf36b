/**
 * How worker messages travel over the network (remote workers, docs/workers.md): one
 * binary WebSocket message each — a 4-byte big-endian length, that many bytes of JSON,
 * then the bytes of the message's `data` field when it has one (frames, download and
 * upload chunks). The JSON never holds the bytes, so frames cost no base64. Decoding
 * only checks the framing; the receiver validates the message with its zod schema.
 */
const HEADER_BYTES = 4;
/**
 * Largest JSON part from the control plane to a worker: the URL policy with its
 * category lists (a million-domain list is tens of MiB) travels in one message.
 */
export const MAX_WIRE_JSON = 512 * 1024 * 1024;
/**
 * Largest JSON part from a worker: its messages are a few KiB, except a copied text for
 * the user's clipboard (up to a million characters).
 */
export const MAX_WORKER_JSON = 4 * 1024 * 1024;

/** The length of a wire message's JSON part (for budgets before it is parsed). */
export function wireJsonLength(buf: Buffer): number {
  return buf.length >= HEADER_BYTES ? buf.readUInt32BE(0) : 0;
}

export function encodeWire(msg: object, maxJson = MAX_WIRE_JSON): Buffer {
  const { data, ...rest } = msg as { data?: unknown };
  const bytes = data instanceof Uint8Array ? data : null;
  const json = Buffer.from(JSON.stringify(bytes ? { ...rest, $data: true } : msg), 'utf8');
  if (json.length > maxJson) throw new Error('worker message too large');
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(json.length, 0);
  return Buffer.concat(bytes ? [header, json, bytes] : [header, json]);
}

/** The message, or null when the framing is wrong (the caller drops it and may close). */
export function decodeWire(buf: Buffer, maxJson = MAX_WIRE_JSON): unknown {
  if (buf.length < HEADER_BYTES) return null;
  const length = buf.readUInt32BE(0);
  if (length > maxJson || HEADER_BYTES + length > buf.length) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.subarray(HEADER_BYTES, HEADER_BYTES + length).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const record = parsed as Record<string, unknown>;
  const tail = buf.subarray(HEADER_BYTES + length);
  if (record.$data === true) {
    delete record.$data;
    record.data = new Uint8Array(tail.buffer, tail.byteOffset, tail.byteLength);
  } else if (tail.length > 0 || 'data' in record) {
    return null;
  }
  return record;
}
