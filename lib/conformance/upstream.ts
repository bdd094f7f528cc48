import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ConformanceCase } from './cases'

/** The header the kit sends with each case; gateways that forward request headers pass it on. */
export const CASE_HEADER = 'x-conformance-case'

export interface FakeUpstream {
  port: number
  close: () => Promise<void>
}

/**
 * The case a request is for: the header when the gateway forwarded it, else the request body's `model`, which
 * every OpenAI-compatible gateway forwards (the kit sets it to the case id).
 */
export function caseIdOf (header: string | string[] | undefined, body: string): string | null {
  if (typeof header === 'string') return header
  try {
    const model = (JSON.parse(body) as { model?: unknown } | null)?.model
    return typeof model === 'string' ? model : null
  } catch {
    return null
  }
}

function answer (cases: ReadonlyMap<string, ConformanceCase>, req: IncomingMessage, res: ServerResponse, body: string): void {
  const id = caseIdOf(req.headers[CASE_HEADER], body)
  const found = id === null ? undefined : cases.get(id)
  if (found === undefined) {
    // Not a case of this run: say so plainly, so a misrouted gateway shows up in the table as this 418.
    res.writeHead(418, { 'content-type': 'text/plain' })
    res.end(`fastify-openai-errors conformance upstream: no case ${JSON.stringify(id)}; send the case id as the model\n`)
    return
  }
  res.writeHead(found.upstream.status, { ...found.upstream.headers, 'content-length': String(found.upstream.body.length) })
  res.end(found.upstream.body)
}

/** An upstream on host:port that answers any method and path with the case the request names. */
export async function startFakeUpstream (cases: readonly ConformanceCase[], port: number, host: string): Promise<FakeUpstream> {
  const byId = new Map(cases.map((item) => [item.id, item]))
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => answer(byId, req, res, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
