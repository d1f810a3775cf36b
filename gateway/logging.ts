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
        return { method: req.method, path: req.url.split('?')[0], ip: req.ip };
      },
    },
  };
}
