/**
 * Logging: the one `Logger` interface the services take, and the pino options:
 * JSON to stdout, secrets redacted (cookies, tokens, passwords, query strings of
 * admin routes). Pretty output is left to the operator's tools.
 */
import type { LoggerOptions } from 'pino';

/**
 * What a service needs of a logger: the pino/Fastify logger satisfies it, tests pass
 * a few spies. Structured fields first, then the message (CONVENTIONS.md, Logging).
 */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that can make child loggers with bindings (e.g. `{ component: 'chromium' }`). */
export interface ParentLogger extends Logger {
  child(bindings: object): Logger;
}

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

export function loggerOptions(level: string): LoggerOptions {
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
