/**
 * HTTP errors with a stable code and a bilingual message. The app's error
 * handler turns them into `{ code, message: { ja, en } }` and hides the details
 * of anything unexpected behind a 500.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorEntry, type ErrorId } from '../i18n/error-registry.js';
import { message, type MessageCode } from '../i18n/messages.js';

/** Optional extras of an error reply: message placeholders and fields beside `code`/`message`. */
export interface HttpErrorExtras {
  params?: Record<string, string | number>;
  body?: Record<string, unknown>;
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly messageCode: MessageCode,
    readonly code = `KEKKAI_ERR_${messageCode.toUpperCase().replace(/-/g, '_')}`,
    readonly extras?: HttpErrorExtras,
  ) {
    super(messageCode);
  }
}

/** The error of a registered id (gateway/i18n/error-registry.ts): its status, message and code. */
export function httpError(id: ErrorId, extras?: HttpErrorExtras): HttpError {
  const entry = errorEntry(id);
  return new HttpError(entry.status, entry.message, entry.code, extras);
}

export function errorHandler(err: FastifyError | HttpError, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof HttpError) {
    void reply.code(err.statusCode).send({ ...err.extras?.body, code: err.code, message: message(err.messageCode, err.extras?.params) });
    return;
  }
  const status = err.statusCode ?? 500;
  if (status >= 500) {
    req.log.error({ err }, 'request failed');
    const internal = errorEntry('internal-error');
    void reply.code(internal.status).send({ code: internal.code, message: message(internal.message) });
    return;
  }
  // Fastify's own 4xx (validation, body too large, bad content type): no internals.
  const bad = errorEntry('bad-request');
  void reply.code(status).send({ code: bad.code, message: message(bad.message) });
}
