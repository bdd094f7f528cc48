import http from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import replyFrom from '@fastify/reply-from'
import type { Teardown } from './upstream'
import plugin = require('../../lib/index')

export interface GatewayOptions {
  /** The plugin's options; `false` for an app without the plugin, for contrast. Default `{}`. */
  plugin?: object | false
  /** Fastify's own options, e.g. `{ logger: captureLog().logger }` or `{ bodyLimit: 64 }`. */
  server?: FastifyServerOptions
  /** Put @fastify/reply-from in front of this upstream URL and send every GET, POST... on to it. */
  upstream?: string
  /** Runs after the plugin and reply-from are registered, before the proxy route and `listen`: routes, hooks. */
  setup?: (app: FastifyInstance) => Promise<void> | void
  /** Listen on 127.0.0.1 on a free port (see `addressOf`); otherwise the app is for `inject`. */
  listen?: boolean
}

/**
 * A Fastify app with the plugin (required from lib/, so coverage counts it), closed when the test ends;
 * optionally a reply-from proxy in front of an upstream, listening on 127.0.0.1.
 */
export async function buildGateway (t: Teardown, options: GatewayOptions = {}): Promise<FastifyInstance> {
  const app = Fastify(options.server)
  if (options.plugin !== false) {
    // Options the plugin refuses fail here, as the test expects; the app that never started is closed all the same.
    try {
      await app.register(plugin as any, options.plugin ?? {})
    } catch (error) {
      await app.close().catch(() => {})
      throw error
    }
  }
  t.teardown(() => app.close())
  if (options.upstream !== undefined) await app.register(replyFrom, { base: options.upstream })
  if (options.setup !== undefined) await options.setup(app)
  if (options.upstream !== undefined) app.all('/*', (request, reply) => { reply.from(request.url) })
  if (options.listen === true) await app.listen({ port: 0, host: '127.0.0.1' })
  return app
}

/** `http://127.0.0.1:<port>` of an app (or any server wrapper) that is listening. */
export function addressOf (app: { server: http.Server }): string {
  const { port } = app.server.address() as AddressInfo
  return `http://127.0.0.1:${port}`
}

/** A pino log line, as the tests read them. */
export interface LogLine {
  level: number
  msg: string
  req?: { url: string }
  res?: { statusCode: number }
  err?: { message: string, stack: string }
  [key: string]: unknown
}

export interface CapturedLog {
  /** Fastify's `logger` option: pino at `level`, writing here. */
  logger: { level: string, stream: { write: (line: string) => void } }
  /** Each line, parsed. */
  lines: LogLine[]
  /** Each line as pino wrote it. */
  raw: string[]
}

/** A logger for `server: { logger }` (or an example's `build({ logger })`) that keeps what it logs. */
export function captureLog (level = 'info'): CapturedLog {
  const lines: LogLine[] = []
  const raw: string[] = []
  return {
    logger: { level, stream: { write: (line: string) => { raw.push(line); lines.push(JSON.parse(line)) } } },
    lines,
    raw
  }
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
