/** Admin console routes (policies, accounts, sessions, settings); see docs/consoles.md. */
import type { FastifyInstance } from 'fastify';
import type { ConsoleDeps } from './console-deps.js';

export function registerAdminRoutes(_app: FastifyInstance, _deps: ConsoleDeps): void {}
