/**
 * Security headers on every response: a strict CSP (no inline script, same origin
 * only), no framing, no sniffing, no referrer, and HSTS when serving TLS.
 */
import type { FastifyInstance } from 'fastify';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function registerSecurityHeaders(app: FastifyInstance, tls: boolean): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    // Routes may set a stricter policy (file responses use `sandbox`); keep theirs.
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (tls) reply.header('strict-transport-security', 'max-age=31536000');
    return payload;
  });
}
