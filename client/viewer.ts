/**
 * The viewer page: toolbar and tabs on top, the remote page as a canvas below.
 * Wires the connection, frame renderer, input capture and dialog views together.
 */
import type { ClientMessage, ServerMessage, Viewport } from '../protocol/index.js';
import { h } from './dom-builder.js';
import { localized, t } from './i18n.js';
import { placesFor } from './places.js';
import { StartPanel } from './viewer/start-panel.js';
import { Connection } from './viewer/connection.js';
import { DialogView, NoticeView, Overlay } from './viewer/dialogs.js';
import { DownloadPanel } from './viewer/download-panel.js';
import { httpReleaseRequester } from './viewer/release-request-form.js';
import { FrameRenderer } from './viewer/frame-renderer.js';
import { InputCapture } from './viewer/input-capture.js';
import { Watermark, type WatermarkSpec } from './viewer/watermark.js';
import { LeakGuardView } from './viewer/leak-guard-dialog.js';
import { PickerView } from './viewer/pickers.js';
import { shortcutFor, type ShortcutAction } from './viewer/shortcuts.js';
import { TabHealthBanner } from './viewer/tab-health-banner.js';
import { Toolbar } from './viewer/toolbar.js';

interface Me {
  user: { name: string; role: string };
  csrfToken: string;
  watermark?: WatermarkSpec | null;
  /** The banner text when this user's sessions are recorded (docs/recording.md). */
  recording?: string | null;
}

async function loadMe(): Promise<Me | null> {
  const res = await fetch('/api/me', { credentials: 'same-origin' });
  return res.ok ? ((await res.json()) as Me) : null;
}

/** Toolbar links to the consoles this role may open (none for staff). */
function consoleLinks(role: string): HTMLElement[] {
  return placesFor(role)
    .filter((p) => p.page !== 'viewer')
    .map((p) => h('a', { href: p.href, class: `console-link place-${p.page}` }, [p.text]));
}

async function start(): Promise<void> {
  document.title = t('appTitle');
  const me = await loadMe();
  if (!me) {
    location.assign(document.documentElement.lang === 'en' ? '/login?lang=en' : '/login');
    return;
  }
  const canvas = h('canvas', { class: 'remote-canvas', role: 'img', 'aria-label': t('remotePage'), tabindex: '-1' });
  const textarea = h('textarea', { class: 'ime-input', 'aria-label': t('remotePage'), autocomplete: 'off', spellcheck: 'false' });
  const stage = h('main', { class: 'stage' }, [canvas, textarea]);
  // Over the page, under kekkai's own pop-ups (they are appended to the stage later).
  const watermark = me.watermark ? new Watermark(me.watermark) : null;
  if (watermark) stage.append(watermark.element);
  const notices = new NoticeView();
  const overlay = new Overlay();
  let remote: Viewport = measure(stage);
  let ended = false;

  const connection: Connection = new Connection(() => (remote = measure(stage)), {
    frame: (frame) => renderer.push(frame),
    message: (msg) => onMessage(msg),
    state: (state) => {
      if (ended) return;
      if (state === 'open') overlay.hide();
      // The first connection does not block: an address typed meanwhile is kept and applied.
      else if (state === 'connecting') overlay.show(t('connecting'), null, true);
      else if (state === 'reconnecting') overlay.show(t('reconnecting'));
      else overlay.show(t('reconnecting'), 'sign-in');
    },
    protocolError: () => notices.show(t('protocolError'), 'error'),
  });
  const leakGuard = new LeakGuardView(document.body, (msg) => connection.send(msg), (text) => notices.show(text, 'error'), () => input.focus());
  // Pastes and IME commits are numbered so that a leak-guard warning can name them.
  const send = (msg: ClientMessage): void => connection.send(leakGuard.tag(msg));
  const renderer = new FrameRenderer(
    canvas,
    (seq) => send({ type: 'ack', seq }),
    () => send({ type: 'keyframe' }),
  );
  const input = new InputCapture({
    canvas,
    textarea,
    send,
    remoteSize: () => remote,
    shortcut: (e) => runShortcut(e),
    leavePage: () => toolbar.focusAddress(),
    pickerKey: (e) => pickers.interceptKey(e),
  });
  // A wheel over the download panel that its list cannot take scrolls the page below.
  const downloads = new DownloadPanel((e) => input.wheelAt(e), document.documentElement.lang, httpReleaseRequester(me.csrfToken));
  const toolbar = new Toolbar(
    send,
    () => {
      if (confirm(t('endSessionConfirm'))) send({ type: 'end-session' });
    },
    () => focusPage(),
    [downloads.button, ...consoleLinks(me.user.role)],
  );
  /** The keyboard goes to the remote page; the frame around it shows so when it got there by keyboard. */
  const focusPage = (byKeyboard = false): void => {
    input.focus();
    stage.classList.toggle('keyboard-focus', byKeyboard);
  };
  stage.addEventListener('mousedown', () => stage.classList.remove('keyboard-focus'));
  textarea.addEventListener('blur', () => stage.classList.remove('keyboard-focus'));
  const actions: Record<ShortcutAction, () => void> = {
    // F6 and friends move between the address bar and the page, as in a desktop browser.
    'focus-address': () => (toolbar.addressFocused ? focusPage(true) : toolbar.focusAddress()),
    'new-tab': () => send({ type: 'tab', action: 'new' }),
    'close-tab': () => {
      const id = toolbar.activeTab;
      if (id !== null) send({ type: 'tab', action: 'close', tabId: id });
    },
    'next-tab': () => switchTab(1),
    'previous-tab': () => switchTab(-1),
    reload: () => send({ type: 'history', action: 'reload' }),
    back: () => send({ type: 'history', action: 'back' }),
    forward: () => send({ type: 'history', action: 'forward' }),
    print: () => send({ type: 'print' }),
  };
  const switchTab = (dir: 1 | -1): void => {
    const id = toolbar.adjacentTab(dir);
    if (id !== null) send({ type: 'tab', action: 'activate', tabId: id });
  };
  const runShortcut = (e: KeyboardEvent): boolean => {
    const action = shortcutFor(e);
    if (!action || ended) return false;
    e.preventDefault();
    actions[action]();
    return true;
  };
  // The same shortcuts with the keyboard anywhere else in the viewer (the page's own
  // keys are handled, and stopped, by InputCapture).
  document.addEventListener('keydown', (e) => {
    if (e.target !== textarea && !e.isComposing && !document.querySelector('dialog[open]')) runShortcut(e);
  });
  const dialogs = new DialogView(document.body, send, () => input.focus());
  const health = new TabHealthBanner(send);
  const startPanel = new StartPanel(send);
  stage.append(health.element, startPanel.element);
  void startPanel.load();
  const pickers = new PickerView({ stage, canvas, send, remoteSize: () => remote, refocus: () => input.focus() });
  // A pop-up closes when the page scrolls under it.
  canvas.addEventListener('wheel', () => pickers.cancel(), { passive: true });
  let activeTabId: number | null = null;

  const onMessage = (msg: ServerMessage): void => {
    switch (msg.type) {
      case 'welcome':
        renderer.reconnected();
        return health.reset();
      case 'tabs':
        if (msg.activeTabId !== activeTabId) pickers.dismiss();
        activeTabId = msg.activeTabId;
        watermark?.setUrl(msg.tabs.find((tab) => tab.id === msg.activeTabId)?.url ?? '');
        health.setTabs(msg.tabs.map((tab) => tab.id), msg.activeTabId);
        return toolbar.setTabs(msg.tabs, msg.activeTabId);
      case 'tab-health':
        return health.update(msg);
      case 'nav-state':
        startPanel.update(msg.url, msg.loading);
        return toolbar.setNavState(msg);
      case 'cursor':
        canvas.style.cursor = msg.cursor;
        return;
      case 'caret':
        return input.placeCaret(msg);
      case 'dialog':
        return dialogs.show(msg);
      case 'dialog-closed':
        return dialogs.close(msg.dialogId);
      case 'clipboard':
        void navigator.clipboard.writeText(msg.text).then(
          () => notices.show(t('copied')),
          () => notices.show(t('copied'), 'error'),
        );
        return;
      case 'notice':
        return notices.fromServer(msg, 'info');
      case 'error':
        return notices.fromServer(msg, 'error');
      case 'leak-guard':
        return leakGuard.show(msg);
      case 'file-chooser':
        return dialogs.fileChooser(msg.chooserId, msg.multiple, (file) => upload(me.csrfToken, msg.chooserId, file, notices, leakGuard));
      case 'download':
        return downloads.update(msg);
      case 'picker':
        return msg.tabId === activeTabId ? pickers.show(msg) : undefined;
      case 'picker-closed':
        return pickers.closed(msg.pickerId);
      case 'session-ended':
        ended = true;
        pickers.dismiss();
        connection.stop();
        // Nothing of the last page stays visible behind the notice.
        renderer.clear();
        // After a browser crash the sign-in still holds: a new session starts at once.
        overlay.show(localized(msg.message), msg.reason === 'browser-crashed' ? 'new-session' : 'sign-in');
        return;
    }
  };

  // Recorded users are told so, all the time, above the page.
  const banner = me.recording ? h('div', { class: 'recording-banner', role: 'status' }, [me.recording]) : null;
  document.body.replaceChildren(toolbar.element, ...(banner ? [banner] : []), stage, downloads.element, notices.element, overlay.element);
  let resizeTimer: number | undefined;
  new ResizeObserver(() => {
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => {
      const next = measure(stage);
      if (next.width === remote.width && next.height === remote.height && next.dpr === remote.dpr) return;
      remote = next;
      send({ type: 'resize', viewport: next });
    }, 150);
  }).observe(stage);
  connection.open();
  input.focus();
}

function measure(stage: HTMLElement): Viewport {
  const rect = stage.getBoundingClientRect();
  return {
    width: Math.max(100, Math.min(7680, Math.floor(rect.width))),
    height: Math.max(100, Math.min(4320, Math.floor(rect.height))),
    dpr: Math.max(0.5, Math.min(4, window.devicePixelRatio || 1)),
  };
}

async function upload(csrf: string, chooserId: number, file: File, notices: NoticeView, leakGuard: LeakGuardView, reason?: string): Promise<void> {
  const res = await fetch(`/api/upload/${chooserId}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'content-type': 'application/octet-stream',
      'x-kekkai-csrf': csrf,
      'x-file-name': encodeURIComponent(file.name),
      ...(reason ? { 'x-kekkai-leak-reason': encodeURIComponent(reason) } : {}),
    },
    body: file,
  });
  if (res.ok) return;
  const body = (await res.json().catch(() => null)) as { code?: string; message?: { ja: string; en: string } } | null;
  // A leak-guard rule that only warns: the same file again, with the user's reason.
  if (res.status === 409 && body?.code === 'KEKKAI_ERR_LEAK_WARNING' && body.message && !reason) {
    const given = await leakGuard.askReason(localized(body.message));
    if (given) return upload(csrf, chooserId, file, notices, leakGuard, given);
    return;
  }
  if (body?.message) notices.fromServer({ message: body.message }, 'error');
}

void start();
