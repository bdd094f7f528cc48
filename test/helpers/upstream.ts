import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** The part of a tap test the helpers need: somewhere to hang the cleanup. */
export interface Teardown {
  teardown: (fn: () => unknown) => void
}

/** What a fake upstream does with every request. */
export type UpstreamBehaviour =
  | { status: number, body?: unknown, headers?: Record<string, string> }
  | 'stall' // read the request, never answer
  | 'reset' // destroy the socket as soon as the request arrives

export interface RecordedRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

export interface Upstream {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  origin: string
  requests: RecordedRequest[]
}

async function listen (server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/**
 * A real HTTP server on 127.0.0.1, on a free port, that answers every request the same way;
 * closed, open sockets included, when the test ends.
 */
export async function startUpstream (t: Teardown, behaviour: UpstreamBehaviour): Promise<Upstream> {
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => { body += chunk })
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      if (behaviour === 'stall') return
      if (behaviour === 'reset') {
        req.socket.destroy()
        return
      }
      const payload = behaviour.body === undefined
        ? ''
        : typeof behaviour.body === 'string' ? behaviour.body : JSON.stringify(behaviour.body)
      res.writeHead(behaviour.status, { 'content-type': 'application/json', ...behaviour.headers })
      res.end(payload)
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const origin = await listen(server)
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { origin, requests }
}

/** An origin on 127.0.0.1 where nothing listens: a port that was free a moment ago, so connecting is refused. */
export async function refusedOrigin (): Promise<string> {
  const server = createServer()
  const origin = await listen(server)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return origin
}
