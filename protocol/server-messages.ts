/**
 * Messages the gateway sends to the client as JSON text frames. The client
 * validates each one against {@link ServerMessage}; all remote-side strings
 * (titles, URLs, dialog text, clipboard text) are plain text and must be rendered
 * as text, never as HTML.
 */
import { z } from 'zod';
import { MAX_PICKER_ITEMS, MAX_PICKER_VALUE, PICKER_KINDS, PickerItem, PickerRect } from './pickers.js';

/** A user-facing message in both UI languages. */
export const LocalizedText = z.object({ ja: z.string().max(2000), en: z.string().max(2000) });
export type LocalizedText = z.infer<typeof LocalizedText>;

/** Cursor shapes the client may show; anything else is shown as `default`. */
export const CURSORS = [
  'default', 'pointer', 'text', 'vertical-text', 'wait', 'progress', 'crosshair', 'move', 'not-allowed',
  'grab', 'grabbing', 'help', 'col-resize', 'row-resize', 'ew-resize', 'ns-resize', 'nesw-resize',
  'nwse-resize', 'zoom-in', 'zoom-out', 'copy', 'no-drop', 'cell', 'context-menu', 'alias', 'none',
] as const;
export type CursorName = (typeof CURSORS)[number];

const TabInfo = z.object({
  id: z.number().int(),
  title: z.string().max(2000),
  url: z.string().max(8192),
  loading: z.boolean(),
});
export type TabInfo = z.infer<typeof TabInfo>;

const Welcome = z.object({
  type: z.literal('welcome'),
  version: z.number().int(),
  resumed: z.boolean(),
  user: z.object({ name: z.string(), role: z.string() }),
  capabilities: z.object({ clipboardToClient: z.boolean(), clipboardFromClient: z.boolean(), upload: z.boolean() }),
});
const Tabs = z.object({
  type: z.literal('tabs'),
  tabs: z.array(TabInfo).max(100),
  activeTabId: z.number().int().nullable(),
});
const NavState = z.object({
  type: z.literal('nav-state'),
  tabId: z.number().int(),
  url: z.string().max(8192),
  /** The URL as the address bar shows it (Japanese domain names and paths decoded), when it differs. */
  displayUrl: z.string().max(8192).optional(),
  title: z.string().max(2000),
  loading: z.boolean(),
  canGoBack: z.boolean(),
  canGoForward: z.boolean(),
});
const Cursor = z.object({ type: z.literal('cursor'), cursor: z.enum(CURSORS) });
const Caret = z.object({ type: z.literal('caret'), x: z.number(), y: z.number(), height: z.number() });
const Dialog = z.object({
  type: z.literal('dialog'),
  dialogId: z.number().int(),
  tabId: z.number().int(),
  kind: z.enum(['alert', 'confirm', 'prompt', 'beforeunload']),
  message: z.string().max(10_000),
  defaultValue: z.string().max(10_000),
  /** True once a page has shown several dialogs: the client offers to suppress more. */
  offerSuppress: z.boolean(),
});
const DialogClosed = z.object({ type: z.literal('dialog-closed'), dialogId: z.number().int() });
const Clipboard = z.object({ type: z.literal('clipboard'), text: z.string().max(1_000_000) });
const Notice = z.object({ type: z.literal('notice'), code: z.string(), message: LocalizedText });
const ErrorMessage = z.object({ type: z.literal('error'), code: z.string(), message: LocalizedText });
/**
 * The leak guard stopped text on its way to the page: `blocked` for good, or `warn`
 * until the user gives a reason (the client sends message `n` again with `reason`).
 * `rules` are the names of the rules that matched (never the matched text).
 */
const LeakGuard = z.object({
  type: z.literal('leak-guard'),
  verdict: z.enum(['blocked', 'warn']),
  channel: z.enum(['paste', 'typing', 'upload']),
  n: z.number().int().min(0).max(0x7fffffff).optional(),
  rules: z.array(z.string().max(100)).max(50),
  message: LocalizedText,
});
const FileChooser = z.object({
  type: z.literal('file-chooser'),
  chooserId: z.number().int(),
  multiple: z.boolean(),
});
/** Progress of one download through the sanitizer; the file itself comes by a one-time link. */
const Download = z.object({
  type: z.literal('download'),
  id: z.string().min(1).max(64),
  /** Name as the web server offered it (plain text). */
  name: z.string().max(1000),
  /** 'queued': complete, waiting for a free sanitizer slot (see queuePosition). */
  state: z.enum(['downloading', 'queued', 'scanning', 'sanitizing', 'ready', 'blocked']),
  /** Only when state is 'queued': place in the sanitizer queue, 1 = next to run. */
  queuePosition: z.number().int().min(1).optional(),
  receivedBytes: z.number().int().min(0),
  totalBytes: z.number().int().min(0).nullable(),
  /** Name of the sanitized file (the extension may change, e.g. form.xlsx → form.pdf). */
  outputName: z.string().max(1000).optional(),
  /**
   * Same-origin path of the one-time link, only when state is 'ready': a sanitized
   * download, or an original the security team released to this user.
   */
  href: z.string().regex(/^\/api\/(downloads|released)\/[A-Za-z0-9_-]{16,128}$/).optional(),
  /** Reason code and message, only when state is 'blocked'. */
  reason: z.string().max(64).optional(),
  message: LocalizedText.optional(),
  /** What the sanitizer did to the file, in plain words (state 'ready'). */
  done: z.array(LocalizedText).max(10).optional(),
  /** Reference number of the quarantine record (`1A2B-3C4D`), for the help desk and the security console. */
  ref: z.string().regex(/^[0-9A-F]{4}-[0-9A-F]{4}$/).optional(),
});
export type DownloadMessage = z.infer<typeof Download>;

/**
 * A tab whose page stopped answering (`unresponsive`) or whose renderer crashed
 * (`crashed`), or that works again (`ok`). The client offers Reload and Close.
 */
const TabHealth = z.object({
  type: z.literal('tab-health'),
  tabId: z.number().int(),
  state: z.enum(['ok', 'unresponsive', 'crashed']),
});
export type TabHealthMessage = z.infer<typeof TabHealth>;

const SessionEnded = z.object({
  type: z.literal('session-ended'),
  reason: z.enum(['ended-by-user', 'idle', 'replaced', 'terminated', 'shutdown', 'browser-crashed']),
  message: LocalizedText,
});

/**
 * A page opened a form control whose pop-up headless Chromium does not draw into the
 * screencast: the client shows its own picker at `rect` and answers with
 * `picker-choose` or `picker-cancel`. Labels are the page's text (plain text).
 */
const Picker = z.object({
  type: z.literal('picker'),
  pickerId: z.number().int().min(0).max(0xffffffff),
  tabId: z.number().int(),
  kind: z.enum(PICKER_KINDS),
  rect: PickerRect,
  /** select: the options, in order, with their groups. */
  items: z.array(PickerItem).max(MAX_PICKER_ITEMS).optional(),
  /** select: index (in `select.options`) of the selected option, -1 for none. */
  selected: z.number().int().min(-1).optional(),
  /** Inputs: the current value and the field's limits, as the page has them. */
  value: z.string().max(MAX_PICKER_VALUE).optional(),
  min: z.string().max(MAX_PICKER_VALUE).optional(),
  max: z.string().max(MAX_PICKER_VALUE).optional(),
  step: z.string().max(MAX_PICKER_VALUE).optional(),
  /**
   * datalist: suggestions shown while the user types in the field — the keyboard stays
   * in the remote field; the client takes only ↑ ↓ Enter Esc while the list shows.
   */
  suggest: z.literal(true).optional(),
});
export type PickerMessage = z.infer<typeof Picker>;
/** The picker's control went away (navigation, another picker); the client closes it. */
const PickerClosed = z.object({ type: z.literal('picker-closed'), pickerId: z.number().int().min(0).max(0xffffffff) });

/** Every message the gateway may send. */
export const ServerMessage = z.discriminatedUnion('type', [
  Welcome,
  Tabs,
  NavState,
  Cursor,
  Caret,
  Dialog,
  DialogClosed,
  Clipboard,
  Notice,
  ErrorMessage,
  LeakGuard,
  FileChooser,
  Download,
  SessionEnded,
  TabHealth,
  Picker,
  PickerClosed,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type SessionEndReason = z.infer<typeof SessionEnded>['reason'];
