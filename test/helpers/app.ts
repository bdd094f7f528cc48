import Fastify, { type FastifyInstance } from 'fastify'
import plugin = require('../../lib/index')

/** A Fastify instance with the plugin registered (from lib/, so coverage counts it) and a route per body. */
export async function appWith (options: Record<string, unknown> = {}): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(plugin as any, options)
  return app
}

/** A route that answers `status` with `body` sent exactly as given (string, Buffer or object). */
export function echoRoute (app: FastifyInstance, url: string, body: unknown, opts: { status?: number, contentType?: string, config?: Record<string, unknown> } = {}): void {
  app.get(url, { config: opts.config ?? {} }, async (_request, reply) => {
    if (opts.contentType !== undefined) reply.header('content-type', opts.contentType)
    reply.code(opts.status ?? 200)
    return reply.send(body)
  })
}
