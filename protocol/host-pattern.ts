/**
 * Site lists of the watermark and of session recording: a host (`webmail.example.jp`)
 * or every host under a domain (`*.example.jp`, which also covers `example.jp`).
 */

/** Whether a page address is on one of the sites; an empty list means every page. */
export function onListedSite(sites: readonly string[], url: string): boolean {
  if (sites.length === 0) return true;
  const host = hostOf(url);
  if (host === null) return false;
  return sites.some((site) => (site.startsWith('*.') ? host === site.slice(2) || host.endsWith(site.slice(1)) : host === site));
}

/** The lower-case host of an address, or null when it has none (about:blank, garbage). */
export function hostOf(url: string): string | null {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host.length > 0 ? host : null;
  } catch {
    return null;
  }
}
