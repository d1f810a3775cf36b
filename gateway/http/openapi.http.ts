/**
 * OpenAPI description of the HTTP API (@fastify/swagger), served to admins only
 * at /api/admin/openapi.json. Registered before any route so every route is seen.
 */
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'kekkai gateway API', version: '1', description: 'Admin, security and viewer APIs of the kekkai browser-isolation gateway.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'kekkai_sid' } } },
      security: [{ session: [] }],
    },
    // Only the JSON API is described; pages, assets and the WebSocket are not.
    transform: ({ schema, url }) => ({ schema: { ...schema, hide: !url.startsWith('/api/') } as typeof schema, url }),
  });
}

export function registerOpenApiRoute(app: FastifyInstance): void {
  app.get('/api/admin/openapi.json', { schema: { hide: true }, config: { permission: 'policy:read' } }, async () => {
    return app.swagger();
  });
}
