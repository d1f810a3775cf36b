/**
 * pino options: JSON to stdout, secrets redacted (cookies, tokens, passwords,
 * query strings of admin routes). Pretty output is left to the operator's tools.
 */
import type { FastifyServerOptions } from 'fastify';

export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-kekkai-csrf"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'token',
  '*.token',
];

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; ip?: string }) {
        // Query strings can carry tokens; log the path only.
        // One-time link tokens in paths are secrets too.
        const path = req.url.split('?')[0]!.replace(/^\/api\/(downloads|released)\/[^/]+/, '/api/$1/[redacted]');
        return { method: req.method, path, ip: req.ip };
      },
    },
  };
}
