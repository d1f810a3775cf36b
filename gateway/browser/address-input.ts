/**
 * Turns what a user typed into the address bar into a URL to load, or null.
 * A scheme-less entry gets https://. Only http(s) and about:blank are navigable
 * from the address bar; URL policies (policies/) judge the result afterwards.
 */
export function addressToUrl(input: string): string | null {
  const text = input.trim();
  if (!text || text.length > 8192 || /\s/.test(text)) return null;
  if (text.toLowerCase() === 'about:blank') return 'about:blank';
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[^/:]+:\d+(?:[/?#]|$)/.test(text);
  const candidate = hasScheme ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname) return null;
  return url.href;
}
