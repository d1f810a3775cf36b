/**
 * Messages the client sends to the gateway over the viewer WebSocket (JSON text
 * frames). Every inbound message is validated against {@link ClientMessage} on the
 * gateway; anything else gets an error reply.
 */
import { z } from 'zod';
import { MAX_PICKER_VALUE } from './pickers.js';
import { PROTOCOL_VERSION } from './version.js';

/** Largest JSON text message the gateway accepts, in bytes. */
export const MAX_CLIENT_MESSAGE_BYTES = 256 * 1024;
/** Largest text the client may paste into the remote page, in characters. */
export const MAX_PASTE_CHARS = 100_000;

const coord = z.number().finite().min(-100_000).max(100_000);
const modifiers = z.number().int().min(0).max(15);
const tabId = z.number().int().min(0).max(0xffffffff);

/** Viewport of the client canvas in CSS pixels plus its devicePixelRatio. */
export const Viewport = z.object({
  width: z.number().int().min(100).max(7680),
  height: z.number().int().min(100).max(4320),
  dpr: z.number().finite().min(0.5).max(4),
});
export type Viewport = z.infer<typeof Viewport>;

const Hello = z.object({ type: z.literal('hello'), version: z.literal(PROTOCOL_VERSION), viewport: Viewport });
const Ack = z.object({ type: z.literal('ack'), seq: z.number().int().min(0).max(0xffffffff) });
/** The client could not apply a frame (lost base picture, undecodable piece): send a key frame. */
const Keyframe = z.object({ type: z.literal('keyframe') });
const Resize = z.object({ type: z.literal('resize'), viewport: Viewport });
const Pointer = z.object({
  type: z.literal('pointer'),
  action: z.enum(['move', 'down', 'up']),
  x: coord,
  y: coord,
  button: z.enum(['none', 'left', 'middle', 'right']),
  /** Bitmask of pressed buttons as in MouseEvent.buttons. */
  buttons: z.number().int().min(0).max(31),
  clickCount: z.number().int().min(0).max(3),
  modifiers,
});
const Wheel = z.object({
  type: z.literal('wheel'),
  x: coord,
  y: coord,
  deltaX: z.number().finite().min(-10_000).max(10_000),
  deltaY: z.number().finite().min(-10_000).max(10_000),
  modifiers,
});
const Key = z.object({
  type: z.literal('key'),
  action: z.enum(['down', 'up']),
  key: z.string().min(1).max(32),
  code: z.string().max(32),
  keyCode: z.number().int().min(0).max(255),
  modifiers,
  /** Text the key produces (a single printable character), if any. */
  text: z.string().max(4).optional(),
  repeat: z.boolean().optional(),
  location: z.number().int().min(0).max(3).optional(),
});
/**
 * Leak guard (docs/leak-guard.md): text the gateway checks before it reaches the page
 * (a paste, an IME or dictation commit) may carry `n`, the client's number for it, so
 * that a `leak-guard` warning can name it; sent again with the user's `reason`, text
 * that a rule only warns about goes through (and the reason is audited).
 */
const LeakGuarded = {
  n: z.number().int().min(0).max(0x7fffffff).optional(),
  reason: z.string().trim().min(1).max(500).optional(),
};
const Ime = z.object({
  type: z.literal('ime'),
  phase: z.enum(['start', 'update', 'commit', 'cancel']),
  text: z.string().max(1000),
  selectionStart: z.number().int().min(0).max(1000).optional(),
  selectionEnd: z.number().int().min(0).max(1000).optional(),
  ...LeakGuarded,
});
const Paste = z.object({ type: z.literal('paste'), text: z.string().max(MAX_PASTE_CHARS), ...LeakGuarded });
const Copy = z.object({ type: z.literal('copy'), cut: z.boolean().optional() });
/** The answer to a `leak-guard` warning about typed text: a reason keeps the text, none erases it. */
const LeakReason = z.object({ type: z.literal('leak-reason'), reason: z.string().trim().min(1).max(500).optional() });
const Navigate = z.object({ type: z.literal('navigate'), url: z.string().min(1).max(8192) });
const History = z.object({ type: z.literal('history'), action: z.enum(['back', 'forward', 'reload', 'stop']) });
const Tab = z.object({
  type: z.literal('tab'),
  action: z.enum(['new', 'activate', 'close']),
  tabId: tabId.optional(),
});
const DialogReply = z.object({
  type: z.literal('dialog-reply'),
  dialogId: z.number().int().min(0),
  accept: z.boolean(),
  promptText: z.string().max(10_000).optional(),
  suppressFurther: z.boolean().optional(),
});
const FileChooserCancel = z.object({ type: z.literal('file-chooser-cancel'), chooserId: z.number().int().min(0) });
const EndSession = z.object({ type: z.literal('end-session') });
/** Print the active tab to PDF; it arrives in the download panel after sanitizing. */
const Print = z.object({ type: z.literal('print') });

/** The user's choice in a picker the gateway asked for (`picker`): an option index, or an input value. */
const PickerChoose = z.object({
  type: z.literal('picker-choose'),
  pickerId: z.number().int().min(0).max(0xffffffff),
  index: z.number().int().min(0).max(1_000_000).optional(),
  value: z.string().max(MAX_PICKER_VALUE).optional(),
});
/** The user closed a picker without choosing. */
const PickerCancel = z.object({ type: z.literal('picker-cancel'), pickerId: z.number().int().min(0).max(0xffffffff) });

/** Every message a client may send. */
export const ClientMessage = z.discriminatedUnion('type', [
  Hello,
  Ack,
  Keyframe,
  Resize,
  Pointer,
  Wheel,
  Key,
  Ime,
  Paste,
  Copy,
  Navigate,
  History,
  Tab,
  DialogReply,
  FileChooserCancel,
  EndSession,
  Print,
  PickerChoose,
  PickerCancel,
  LeakReason,
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type PointerMessage = z.infer<typeof Pointer>;
export type WheelMessage = z.infer<typeof Wheel>;
export type KeyMessage = z.infer<typeof Key>;
export type ImeMessage = z.infer<typeof Ime>;
export type PickerChooseMessage = z.infer<typeof PickerChoose>;

/** Modifier bits, as CDP's Input domain numbers them. */
export const Modifier = { Alt: 1, Ctrl: 2, Meta: 4, Shift: 8 } as const;
