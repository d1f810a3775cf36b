/**
 * Small read-only scripts the gateway evaluates in remote pages: which cursor the
 * element under the pointer wants, where the caret is (to place the local IME
 * window), and the selected text (for copy). They run in an isolated world
 * (RemoteTab.probe), so page scripts cannot replace the builtins they call; but
 * the DOM and CSS are the page's, so every result is cut down here, inside the
 * page, before it crosses to the gateway — a page once made the cursor probe
 * return 100 million characters. The gateway validates and clamps again.
 */

/** Longest cursor value the cursor probe returns (CSS keywords are short). */
export const MAX_CURSOR_CHARS = 64;
/** Longest text the selection probe returns; the clipboard message allows as much. */
export const MAX_SELECTION_CHARS = 1_000_000;

/** Returns a CSS cursor name for the element at (x, y). */
export const CURSOR_PROBE = `(x, y) => {
  const el = document.elementFromPoint(x, y);
  if (!el) return 'default';
  const css = String(getComputedStyle(el).cursor || '');
  if (css && css !== 'auto') {
    // "url(…), pointer": custom images can be any size; only the keyword at the end counts.
    const keyword = css.slice(css.lastIndexOf(',') + 1).trim();
    return keyword.length <= ${MAX_CURSOR_CHARS} ? keyword : 'default';
  }
  if (el.closest('a[href], button, [role=button], summary, label[for], select')) return el.closest('a[href]') ? 'pointer' : 'default';
  if (el.isContentEditable) return 'text';
  if (el.matches('textarea, input:not([type=button]):not([type=submit]):not([type=reset]):not([type=checkbox]):not([type=radio]):not([type=range]):not([type=color]):not([type=file]):not([type=image])')) return 'text';
  const range = document.caretRangeFromPoint ? document.caretRangeFromPoint(x, y) : null;
  if (range && range.startContainer.nodeType === 3 && range.startContainer.textContent.trim()) {
    const r = document.createRange();
    r.selectNodeContents(range.startContainer);
    for (const rect of r.getClientRects()) {
      if (x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom) return 'text';
    }
  }
  return 'default';
}`;

/** Returns {x, y, height} of the caret in the focused editable, or null. */
export const CARET_PROBE = `() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rect = el.getBoundingClientRect();
  if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') {
    const cs = getComputedStyle(el);
    let start = 0;
    try { start = el.selectionStart ?? 0; } catch { start = 0; }
    const before = String(el.value).slice(0, start);
    const lines = before.split('\\n');
    const ctx = document.createElement('canvas').getContext('2d');
    ctx.font = cs.font;
    const lineHeight = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.2;
    const padL = parseFloat(cs.paddingLeft) + parseFloat(cs.borderLeftWidth);
    const padT = parseFloat(cs.paddingTop) + parseFloat(cs.borderTopWidth);
    const w = ctx.measureText(lines[lines.length - 1]).width;
    const isArea = el.tagName === 'TEXTAREA';
    const x = rect.left + padL + Math.min(w - el.scrollLeft, rect.width - padL);
    const y = isArea ? rect.top + padT + (lines.length - 1) * lineHeight - el.scrollTop : rect.top + (rect.height - lineHeight) / 2;
    return { x, y: Math.min(Math.max(y, rect.top), rect.bottom - lineHeight), height: lineHeight };
  }
  if (el.isContentEditable) {
    const sel = getSelection();
    if (sel && sel.rangeCount) {
      const range = sel.getRangeAt(0).cloneRange();
      range.collapse(true);
      const r = range.getClientRects()[0] || range.getBoundingClientRect();
      if (r && (r.height || r.x || r.y)) return { x: r.left, y: r.top, height: r.height || 16 };
    }
    return { x: rect.left, y: rect.top, height: 16 };
  }
  return null;
}`;

/**
 * Returns the text the user selected, at most `max` characters: the selected part
 * of a text field (never of a password field) or the document selection.
 */
export const SELECTION_PROBE = `(max) => {
  const el = document.activeElement;
  if (el && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && /^(text|search|url|tel|email|number)$/i.test(el.type)))) {
    try {
      const s = el.selectionStart, e = el.selectionEnd;
      if (s === null || e === null) return '';
      return String(el.value).slice(s, Math.min(e, s + max));
    } catch { return ''; }
  }
  if (el && el.tagName === 'INPUT') return '';
  return String(getSelection()).slice(0, max);
}`;
