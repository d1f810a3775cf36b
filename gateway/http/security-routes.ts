/** Security console routes (quarantine review, audit search and export); see docs/consoles.md. */
import type { FastifyInstance } from 'fastify';
import type { ConsoleDeps } from './console-deps.js';

export function registerSecurityRoutes(_app: FastifyInstance, _deps: ConsoleDeps): void {}
