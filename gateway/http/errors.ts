/**
 * HTTP errors with a stable code and a bilingual message. The app's error
 * handler turns them into `{ code, message: { ja, en } }` and hides the details
 * of anything unexpected behind a 500.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
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

export function errorHandler(err: FastifyError | HttpError, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof HttpError) {
    void reply.code(err.statusCode).send({ ...err.extras?.body, code: err.code, message: message(err.messageCode, err.extras?.params) });
    return;
  }
  const status = err.statusCode ?? 500;
  if (status >= 500) {
    req.log.error({ err }, 'request failed');
    void reply.code(500).send({ code: 'KEKKAI_ERR_INTERNAL', message: message('internal-error') });
    return;
  }
  // Fastify's own 4xx (validation, body too large, bad content type): no internals.
  void reply.code(status).send({ code: 'KEKKAI_ERR_BAD_REQUEST', message: message('bad-request') });
}
