import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import replyFrom from '@fastify/reply-from'
import plugin = require('../../lib/index')

export type Handler = (req: IncomingMessage, res: ServerResponse) => void

export interface Upstream {
  url: string
  server: http.Server
  close: () => Promise<void>
}

/** A real HTTP server on 127.0.0.1 standing in for an OpenAI-compatible upstream. */
export async function startUpstream (handler: Handler): Promise<Upstream> {
  const sockets = new Set<import('node:net').Socket>()
  const server = http.createServer(handler)
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** A proxying gateway: @fastify/reply-from in front of `upstream`, with the plugin (or without, for contrast). */
export async function startGateway (upstream: string, options: Record<string, unknown> | false = {}, setup?: (app: FastifyInstance) => Promise<void> | void): Promise<FastifyInstance> {
  const app = Fastify()
  if (setup !== undefined) await setup(app)
  if (options !== false) await app.register(plugin as any, options)
  await app.register(replyFrom, { base: upstream })
  app.all('/*', (request, reply) => { reply.from(request.url) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return app
}

export function addressOf (app: FastifyInstance): string {
  const { port } = app.server.address() as AddressInfo
  return `http://127.0.0.1:${port}`
}

/** The raw bytes and head of a response, read with node:http (no client-side decoding). */
export async function rawRequest (url: string, init: { method?: string, headers?: Record<string, string>, body?: string } = {}): Promise<{ status: number, headers: http.IncomingHttpHeaders, body: Buffer }> {
  return await new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(init.body)
  })
}
