/**
 * Messages between the control plane and a browser worker (docs/workers.md). Both
 * sides validate what they receive: a worker runs hostile pages, so the control plane
 * treats everything from it as untrusted input. Viewer messages travel inside
 * unchanged and are validated with the viewer schemas.
 */
import { z } from 'zod';
import { ClientMessage, Viewport } from './client-messages.js';
import { ServerMessage } from './server-messages.js';

const SessionId = z.string().min(1).max(128);
const RequestId = z.number().int().nonnegative();
const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes');
const ChooserId = z.number().int().nonnegative();
/** Files per upload. */
export const MAX_UPLOAD_FILES = 100;
const FileIndex = z.number().int().min(0).max(MAX_UPLOAD_FILES - 1);
/** A plain file name (no directory part); the worker writes it under its own directory. */
const FileName = z
  .string()
  .min(1)
  .max(255)
  .refine((n) => !/[/\\\0]/.test(n) && n !== '.' && n !== '..', 'plain file name');
/** A frame image larger than this is not a frame (a 4K JPEG at quality 100 is ~3 MiB). */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Download and upload bytes travel in chunks of at most this size. */
export const TRANSFER_CHUNK_BYTES = 1024 * 1024;

export const WorkerUser = z.object({
  id: z.number().int(),
  name: z.string().max(256),
  role: z.enum(['staff', 'admin', 'security']),
  sourceIp: z.string().max(64),
});
export type WorkerUser = z.infer<typeof WorkerUser>;

/** The settings a worker runs its sessions with (a slice of the control plane's config). */
export const WorkerSettings = z.object({
  chromiumPath: z.string().max(4096),
  jpegQuality: z.number().int().min(1).max(100),
  maxDeviceScaleFactor: z.number().min(1).max(4),
  warmPool: z.number().int().min(0).max(64),
  maxSessions: z.number().int().min(1).max(10_000),
  maxTabs: z.number().int().min(1).max(100),
  idleTimeoutSeconds: z.number().int().min(1),
  /** JavaScript heap cap per renderer, MiB (config session.rendererMemoryMb). */
  rendererMemoryMb: z.number().int().min(256).max(8192),
  clipboardToClient: z.boolean(),
  clipboardFromClient: z.boolean(),
  uploadEnabled: z.boolean(),
  print: z.boolean(),
  allowPrivate: z.array(z.string().max(64)).max(1000),
  allowedPorts: z.array(z.number().int().min(1).max(65535)).max(1000),
  ownPorts: z.array(z.number().int().min(1).max(65535)).max(16),
  /** Largest download file sent to the control plane; bigger ones are dropped as canceled. */
  maxDownloadBytes: z.number().int().min(1),
  /** Largest file uploaded to a page (the control plane checks it first). */
  maxUploadBytes: z.number().int().min(1),
  /** The worker's own directory (Chromium downloads); emptied at start. */
  workDir: z.string().max(4096),
  /** What new tabs open (config session.startPage); absent: a blank page. */
  startPage: z.string().max(2048).regex(/^https?:\/\//).optional(),
});
export type WorkerSettings = z.infer<typeof WorkerSettings>;

/** Control plane → worker. */
export const ToWorker = z.discriminatedUnion('t', [
  z.object({ t: z.literal('init'), settings: WorkerSettings }),
  /** The URL policy (plain JSON of policies/ `Policy`, categories resolved) and the admins' contact line. */
  z.object({ t: z.literal('policy'), policy: z.unknown(), contact: z.string().max(2000).nullable() }),
  /** Operator settings that apply live (admin console). */
  z.object({ t: z.literal('limits'), maxTabs: z.number().int().min(1).max(100), idleTimeoutSeconds: z.number().int().min(1) }),
  z.object({ t: z.literal('create'), rid: RequestId, sid: SessionId, user: WorkerUser }),
  z.object({ t: z.literal('end'), rid: RequestId, sid: SessionId, reason: z.string().max(32) }),
  z.object({ t: z.literal('attach'), rid: RequestId, sid: SessionId, viewport: Viewport }),
  z.object({ t: z.literal('detach'), sid: SessionId }),
  z.object({ t: z.literal('input'), rid: RequestId, sid: SessionId, msg: ClientMessage }),
  /** Bytes of a file for a page's file chooser, in order; `upload` then hands the files to the page. */
  z.object({ t: z.literal('upload-chunk'), sid: SessionId, chooserId: ChooserId, index: FileIndex, name: FileName, data: Bytes }),
  z.object({ t: z.literal('upload'), rid: RequestId, sid: SessionId, chooserId: ChooserId, files: z.array(z.object({ name: FileName, size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).max(MAX_UPLOAD_FILES) }),
  z.object({ t: z.literal('cancel-download'), sid: SessionId, guid: z.string().max(128) }),
  z.object({ t: z.literal('shutdown') }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

/** Worker → control plane. */
export const FromWorker = z.discriminatedUnion('t', [
  /** Started; a remote worker also names itself and says how many sessions it takes. */
  z.object({ t: z.literal('ready'), pid: z.number().int(), host: z.string().max(255).optional(), capacity: z.number().int().min(1).max(10_000).optional() }).strict(),
  /** The worker's operator ran `kekkai worker drain` (or undid it). */
  z.object({ t: z.literal('drain'), draining: z.boolean() }).strict(),
  z.object({ t: z.literal('done'), rid: RequestId, ok: z.boolean(), code: z.string().max(64).optional(), result: z.unknown().optional() }).strict(),
  /** A message for the session's viewer. */
  z.object({ t: z.literal('msg'), sid: SessionId, msg: ServerMessage }).strict(),
  z.object({ t: z.literal('frame'), sid: SessionId, data: Bytes.refine((d) => d.byteLength <= MAX_FRAME_BYTES, 'frame too large') }).strict(),
  z.object({ t: z.literal('viewer-close'), sid: SessionId }).strict(),
  /** The worker ended a session by itself (End session, idle timeout). */
  z.object({ t: z.literal('ended'), sid: SessionId, reason: z.string().max(32) }).strict(),
  /** A file chooser opened on a page at `url` (uploads are judged by that URL). */
  z.object({ t: z.literal('chooser'), sid: SessionId, chooserId: z.number().int(), url: z.string().max(8192) }).strict(),
  /** An audit event (navigation, refusal); the control plane fills in who from its own session records. */
  z.object({ t: z.literal('audit'), userId: z.number().int().nullable(), event: z.string().max(64), outcome: z.string().max(32), details: z.record(z.unknown()) }).strict(),
  z.object({ t: z.literal('dl-begin'), sid: SessionId, guid: z.string().max(128), url: z.string().max(65_536), name: z.string().max(1024) }).strict(),
  /** The next bytes of a finished download (before its `completed` progress). */
  z.object({ t: z.literal('dl-chunk'), sid: SessionId, guid: z.string().max(128), data: Bytes.refine((d) => d.byteLength <= TRANSFER_CHUNK_BYTES, 'chunk too large') }).strict(),
  z.object({
    t: z.literal('dl-progress'),
    sid: SessionId,
    guid: z.string().max(128),
    receivedBytes: z.number().nonnegative(),
    totalBytes: z.number().nonnegative(),
    state: z.enum(['inProgress', 'completed', 'canceled']),
  }).strict(),
  /** Input-to-frame latencies (seconds) measured since the last report, for /metrics. */
  z.object({ t: z.literal('stream'), inputToFrame: z.array(z.number()).max(10_000) }).strict(),
]);
export type FromWorker = z.infer<typeof FromWorker>;
