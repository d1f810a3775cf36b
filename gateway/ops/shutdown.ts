/**
 * Bounded waiting for shutdown steps. A stop must not hang on a session whose
 * sanitizer jobs run for minutes, a page with an open dialog or a slow client: the
 * review measured 16.7 s before the CLI's last-resort exit fired and left Chromium
 * and its profile behind. Work cut short here is safe to lose: interrupted downloads
 * are blocked and quarantined at the next start.
 */
export async function settleWithin(work: Promise<unknown>, ms: number, onTimeout?: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const outcome = await Promise.race([work.then(() => 'done' as const, () => 'done' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') onTimeout?.();
}
