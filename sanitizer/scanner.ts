/** Result of one antivirus scan. Only `clean` lets a file continue. */
export type ScanResult =
  | { status: 'clean' }
  | { status: 'infected'; signature: string }
  /** The scanner refused the stream because of its own limits (e.g. StreamMaxLength). */
  | { status: 'limit-exceeded'; detail: string }
  /** No definite answer: down, timeout, protocol error. Fails closed. */
  | { status: 'unavailable'; detail: string };

/** Port for the antivirus engine (clamd in production, fakes in unit tests). */
export interface Scanner {
  scan(bytes: Uint8Array): Promise<ScanResult>;
}
