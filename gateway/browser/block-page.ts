/**
 * Pages kekkai shows inside the remote browser: the block page and the warning
 * page (continue after giving a reason). Bilingual, no script, every value
 * HTML-escaped. They are served by Fetch.fulfillRequest, never from the network.
 */

/** Navigations to this host are answered by the gateway itself (warn page form). */
export const KEKKAI_INTERNAL_HOST = 'kekkai.invalid';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `body{font-family:"Noto Sans JP",sans-serif;margin:0;background:#f6f6f6;color:#1f1f1f}
main{max-width:44rem;margin:3rem auto;background:#fff;border:1px solid #ccc;border-radius:.6rem;padding:2rem}
h1{font-size:1.4rem;margin-top:0}.en{color:#555}dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem}
dt{font-weight:bold}dd{margin:0;overflow-wrap:anywhere}textarea{width:100%;min-height:5rem;font:inherit}
button{font:inherit;padding:.4rem 1rem;margin-top:.6rem}`;

interface PageFacts {
  url: string;
  ruleId: string | null;
  ruleName: string | null;
  contact: string | null;
}

function facts(f: PageFacts): string {
  const rule = f.ruleId ? `${f.ruleName ? `${f.ruleName} ` : ''}(${f.ruleId})` : '既定の設定 / default setting';
  return `<dl><dt>URL</dt><dd>${escapeHtml(f.url)}</dd><dt>ルール / Rule</dt><dd>${escapeHtml(rule)}</dd>${
    f.contact ? `<dt>お問い合わせ / Contact</dt><dd>${escapeHtml(f.contact)}</dd>` : ''
  }</dl>`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export function blockPage(f: PageFacts): string {
  return page(
    'アクセスがブロックされました / Access blocked',
    `<h1>このページへのアクセスはブロックされました</h1><p class="en">Access to this page is blocked by your hospital's policy.</p>${facts(f)}`,
  );
}

export function warnPage(f: PageFacts, token: string): string {
  return page(
    '確認が必要です / Confirmation required',
    `<h1>このページを開くには理由の入力が必要です</h1><p class="en">This page requires a reason before you continue. Your reason is recorded.</p>${facts(f)}
<form method="get" action="https://${KEKKAI_INTERNAL_HOST}/continue"><input type="hidden" name="t" value="${escapeHtml(token)}">
<label for="reason">理由 / Reason</label><textarea id="reason" name="reason" required maxlength="500"></textarea>
<button type="submit">理由を記録して続行 / Record reason and continue</button></form>`,
  );
}

/** Sends the browser on to the acknowledged URL without script. */
export function continuePage(url: string): string {
  return page('…', `<meta http-equiv="refresh" content="0;url=${escapeHtml(url)}"><p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>`);
}
