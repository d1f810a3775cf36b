/**
 * The fresh antivirus scan of a quarantined original, as the detail and approval views
 * show it. The gateway scans again on every release, approval and delivery; this shows
 * the security user what that scan will say before they decide.
 */
import { h } from '../dom-builder.js';
import { ApiError, post } from './api.js';
import { t } from '../i18n.js';
import { formatJst } from '../format-time.js';
import { button } from './widgets.js';

export interface Scan {
  status: 'clean' | 'infected' | 'limit-exceeded' | 'unavailable';
  signature: string | null;
  scannedAt: string;
}

export function scanText(scan: Scan): string {
  const time = formatJst(scan.scannedAt);
  switch (scan.status) {
    case 'clean':
      return t('security.scanClean', { time });
    case 'infected':
      return t('security.scanInfected', { signature: scan.signature ?? '', time });
    case 'limit-exceeded':
      return t('security.scanLimit', { time });
    default:
      return t('security.scanUnavailable', { time });
  }
}

/** The scan carried by a refused release (the gateway sends it beside the message). */
export function scanOfError(err: unknown): Scan | undefined {
  if (!(err instanceof ApiError)) return undefined;
  const scan = (err.body as { scan?: Scan } | null)?.scan;
  return scan && typeof scan.status === 'string' ? scan : undefined;
}

export interface ScanBox {
  element: HTMLElement;
  show(scan: Scan): void;
  /** Asks the gateway for a fresh scan and shows it. */
  run(): Promise<void>;
}

/** A live result line (`data-field="scan"`, `data-status`) and a "scan again" button. */
export function scanBox(quarantineId: string): ScanBox {
  const result = h('span', { class: 'scan-result', 'data-field': 'scan', role: 'status', 'aria-live': 'polite' }, [t('security.scanRunning')]);
  const again = button(t('security.rescan'));
  const show = (scan: Scan): void => {
    result.textContent = scanText(scan);
    result.dataset.status = scan.status;
  };
  const run = async (): Promise<void> => {
    result.textContent = t('security.scanRunning');
    delete result.dataset.status;
    try {
      const { scan } = (await (await post(`/api/security/quarantine/${encodeURIComponent(quarantineId)}/scan`, {})).json()) as { scan: Scan };
      show(scan);
    } catch (err) {
      result.textContent = (err as Error).message;
      result.dataset.status = 'error';
    }
  };
  again.addEventListener('click', () => void run());
  return { element: h('div', { class: 'scan' }, [result, again]), show, run };
}
