import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
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

/** An upstream written by the test itself: it answers (or not) however it likes. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void

export interface RecordedRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  /** The request body, read whole, with a behaviour; with a handler, which reads it or not as it likes, absent. */
  body?: string
}

export interface Upstream {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string
  /** Every request that reached the upstream: with a behaviour once its body was read, with a handler as it arrives. */
  requests: RecordedRequest[]
  server: Server
  /** Closes the server, open sockets included; safe to call more than once (the teardown calls it too). */
  close: () => Promise<void>
}

async function listen (server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** The handler that answers every request the same way, after reading it whole. */
function behave (behaviour: UpstreamBehaviour, requests: RecordedRequest[]): Handler {
  return (req, res) => {
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
  }
}

/** The test's handler, with each request's head recorded as it arrives; the body is the handler's to read. */
function recorded (handler: Handler, requests: RecordedRequest[]): Handler {
  return (req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    handler(req, res)
  }
}

/**
 * A real HTTP server on 127.0.0.1, on a free port, standing in for an OpenAI-compatible upstream: it either
 * answers every request the same way (a behaviour) or runs the test's own `(req, res)` handler. Closed, open
 * sockets included, when the test ends.
 */
export async function startUpstream (t: Teardown, behaviour: UpstreamBehaviour | Handler): Promise<Upstream> {
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const server = createServer(typeof behaviour === 'function' ? recorded(behaviour, requests) : behave(behaviour, requests))
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const url = await listen(server)
  let closed: Promise<void> | undefined
  const close = async (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
    await closed
  }
  t.teardown(close)
  return { url, requests, server, close }
}

/** An origin on 127.0.0.1 where nothing listens: a port that was free a moment ago, so connecting is refused. */
export async function refusedOrigin (): Promise<string> {
  const server = createServer()
  const origin = await listen(server)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return origin
}
