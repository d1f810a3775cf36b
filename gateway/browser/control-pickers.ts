/**
 * One tab's side of the client-drawn pickers (page-controls.ts): installs the
 * controls script and its binding, turns a validated report into a `picker`
 * message, and applies the user's choice in the frame that asked. At most one
 * picker is open per tab; a new one, a navigation or the frame going away closes
 * the previous one (`picker-closed`).
 */
import type { CDPSession } from 'puppeteer';
import { isListPicker, pickerValueValid, type PickerChooseMessage, type PickerMessage } from '../../protocol/index.js';
import { plainText } from '../../protocol/plain-text.js';
import {
  applyExpression, cancelExpression, CONTROLS_BINDING, CONTROLS_SCRIPT, CONTROLS_WORLD, parseControlReport, type ControlReport,
} from './page-controls.js';

/** A choice that takes longer than this to apply (a hung page) is given up. */
const APPLY_TIMEOUT_MS = 1_000;

interface OpenPicker {
  pickerId: number;
  /** The script's own id of the control, in its frame. */
  pageId: number;
  contextId: number;
  kind: ControlReport['kind'];
}

export interface PickerEvents {
  opened(msg: Omit<PickerMessage, 'type' | 'tabId'>): void;
  closed(pickerId: number): void;
}

/** Picker ids are unique in the process, so a late answer can never reach another tab's picker. */
let lastPickerId = 0;

export class ControlPickers {
  private open: OpenPicker | null = null;

  constructor(private readonly cdp: CDPSession, private readonly events: PickerEvents) {}

  /** Call after Page.enable: the script must run in every new document of the tab. */
  async install(): Promise<void> {
    const { cdp } = this;
    cdp.on('Runtime.bindingCalled', (e) => {
      if (e.name === CONTROLS_BINDING) this.onReport(e.payload, e.executionContextId);
    });
    cdp.on('Runtime.executionContextDestroyed', (e) => {
      if (this.open?.contextId === e.executionContextId) this.close();
    });
    cdp.on('Runtime.executionContextsCleared', () => this.close());
    // The binding is only delivered with the Runtime domain on, and must exist before
    // the world is made so that the world gets it; it exists only in that world.
    await cdp.send('Runtime.enable');
    await cdp.send('Runtime.addBinding', { name: CONTROLS_BINDING, executionContextName: CONTROLS_WORLD });
    await cdp.send('Page.addScriptToEvaluateOnNewDocument', { source: CONTROLS_SCRIPT, worldName: CONTROLS_WORLD, runImmediately: true });
  }

  /** Applies the user's choice; a stale, mismatched or malformed one is ignored. */
  async choose(msg: PickerChooseMessage): Promise<void> {
    const open = this.open;
    if (!open || open.pickerId !== msg.pickerId) return;
    let choice: { index: number } | { value: string };
    if (isListPicker(open.kind)) {
      if (msg.index === undefined) return;
      choice = { index: msg.index };
    } else {
      if (msg.value === undefined || !pickerValueValid(open.kind, msg.value)) return;
      choice = { value: msg.value };
    }
    this.open = null;
    await this.evaluate(open.contextId, applyExpression(open.pageId, choice));
  }

  async cancel(pickerId: number): Promise<void> {
    const open = this.open;
    if (!open || open.pickerId !== pickerId) return;
    this.open = null;
    await this.evaluate(open.contextId, cancelExpression(open.pageId));
  }

  /** Closes the open picker, if any (navigation, the tab went to the background). */
  close(): void {
    const open = this.open;
    this.open = null;
    if (open) this.events.closed(open.pickerId);
  }

  private onReport(payload: string, contextId: number): void {
    const report = parseControlReport(payload);
    if (!report) return;
    this.close();
    // Suggestions that no longer match anything (or a field left): closing was all there was to do.
    if ('items' in report && report.suggest && report.items.length === 0) return;
    const pickerId = ++lastPickerId;
    this.open = { pickerId, pageId: report.id, contextId, kind: report.kind };
    const base = { pickerId, rect: report.rect };
    if ('items' in report) {
      const items = report.items.map((item) => ({
        index: item.index,
        label: plainText(item.label, 200),
        disabled: item.disabled,
        ...(item.group !== undefined ? { group: plainText(item.group, 200) } : {}),
      }));
      this.events.opened({ ...base, kind: report.kind, items, selected: report.selected, ...(report.suggest ? { suggest: true } : {}) });
    } else {
      const { value, min, max, step } = report;
      this.events.opened({ ...base, kind: report.kind, value, min, max, step });
    }
  }

  private async evaluate(contextId: number, expression: string): Promise<void> {
    await this.cdp
      .send('Runtime.evaluate', { expression, contextId, returnByValue: true, silent: true, timeout: APPLY_TIMEOUT_MS })
      // The frame navigated or closed meanwhile: there is nothing left to apply to.
      .catch(() => undefined);
  }
}
