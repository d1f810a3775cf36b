/** Helpers the security console's route modules share: actor, refusals, body fields, file replies. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../actor.js';
import type { CurrentSession } from '../auth/auth-service.js';
import { InvalidQuery } from '../security/console-query.js';
import { SecurityRefusal } from '../security/security-errors.js';
import { httpError } from './errors.js';

export function actorOf(current: CurrentSession, req: FastifyRequest): Actor {
  return { id: current.user.id, name: current.user.name, role: current.user.role, sourceIp: req.ip };
}

/** Runs a service call, turning its refusals into HTTP errors with their message codes. */
export async function refusals<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SecurityRefusal) {
      // A refused release carries the scan that refused it, for the console to show.
      throw httpError(err.code, err.scan ? { params: { signature: err.scan.signature ?? '' }, body: { scan: err.scan } } : undefined);
    }
    if (err instanceof InvalidQuery) throw httpError('invalid-query');
    throw err;
  }
}

export function bodyField(req: FastifyRequest, name: string): unknown {
  const body = req.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** Headers for a file the browser must save, never render. */
export function attachmentHeaders(reply: FastifyReply, contentType: string, disposition: string): FastifyReply {
  return reply
    .header('content-type', contentType)
    .header('content-disposition', disposition)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; sandbox");
}
