import type { FastifyRequest } from 'fastify'
import type { FetchNormalizeOptions, Normalizer } from '../../types/fetch'
import { JSON_CONTENT_TYPE } from '../output/body'
import { errorBody } from '../output/dialect'
import { InvalidOptionError } from '../settings/errors'
import { isJsonContentType } from '../core/gate'
import { inspectResponse, isJudgedStatus } from '../core/inspect'
import { normaliseOptions, type NormalizeEvent, type Settings } from '../settings/options'
import { providerOf } from '../core/provider'
import { RETRY_STATUSES, retryDelayFromHeaders, retryHeaders } from '../core/retry'
import { firstDataEvent, firstJsonLine, recordStreamOf, type RecordStream, type SseEvent } from '../stream/sse'
import { firstRecordError } from '../stream/first-record'
import { decode, decodeHead, isReadableEncoding } from '../stream/decode'
import type { Table } from '../core/table'
import type { Decision } from '../types'
import { STOPPED, WebPeek } from './peek'

// The plugin's classifier over Fetch: a `Response` in, a `Response` out with the status its body means. What is read,
// and when, is the Fastify stream hook's (lib/fastify/stream-hook.ts), on web streams.

export type { FetchNormalizeOptions, Normalizer }

// Plugin options that belong to Fastify (handlers, register options): naming one here is a mistake worth reporting.
const FASTIFY_ONLY = ['errorHandler', 'notFoundHandler', 'prefix', 'logLevel', 'logSerializers']

// How far into a body its head is looked at for a sign that it is not an error (the gate reads 160 bytes of it).
const HEAD_LOOK_BYTES = 1024

/** What the provider function (through Settings.tableFor) is asked about, and where a throw of it goes. */
interface Subject {
  response: Response
  request: Request | undefined
  log: { error: () => void }
}

// There is no logger here: a provider function or rule that throws means no provider, or no decision.
const SILENT = { error (): void {} }

/** One response being normalised: what every step needs. */
interface Job {
  settings: Settings
  response: Response
  request: Request | undefined
  encoding: string | undefined
  table: () => Table
}

/**
 * The bytes as text can be read from: decoded when the header names an encoding and they decode. Node's fetch
 * decodes a body itself and keeps the header; those bytes are read as they are (a body that is neither will not
 * parse, and so is never judged).
 */
function readable (raw: Buffer, encoding: string | undefined, partial: boolean, maxBytes: number): Buffer {
  return encoding === undefined ? raw : decode(raw, encoding, partial, maxBytes) ?? raw
}

// How much of a compressed head is decoded for that look: the gate's 160 bytes and some white space before them.
const HEAD_DECODE_BYTES = 192

/**
 * The head as text can be looked at: a gzip or deflate head inflated in place, only its first 192 bytes (no zlib
 * handle for a look); br by `readable`; bytes that are not what the header says (Node's fetch decoded them) as they are.
 */
function readableHead (raw: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  if (encoding === undefined) return raw
  const head = decodeHead(raw, encoding, HEAD_DECODE_BYTES)
  return head === undefined ? readable(raw, encoding, true, maxBytes) : head ?? raw
}

const pathOf = (url: string): string => {
  try {
    const parsed = new URL(url)
    return parsed.pathname + parsed.search
  } catch {
    return url
  }
}

/** Tell the observer of a decision; one that throws never breaks the response. */
function notify (job: Job, source: NormalizeEvent['source'], decision: Decision): void {
  const observer = job.settings.onNormalize
  if (observer === null) return
  try {
    observer({
      source,
      method: job.request?.method ?? 'GET',
      url: pathOf(job.request?.url ?? job.response.url),
      route: undefined,
      originalStatus: job.response.status,
      status: decision.status,
      rule: decision.rule,
      provider: providerOf(decision.rule, decision.shape),
      type: decision.type,
      code: decision.code,
      reportOnly: job.settings.reportOnly
    })
  } catch {}
}

/**
 * The response for a decision: the decided status, the upstream's in its header, retry hints, and `body` (a JSON
 * error replacing the stream, whose framing headers no longer hold, or the bytes as they came).
 */
function decided (job: Job, decision: Decision, body: ReadableStream<Uint8Array> | string): Response {
  const { settings, response } = job
  const headers = new Headers(response.headers)
  if (typeof body === 'string') {
    for (const name of ['content-encoding', 'content-length', 'transfer-encoding']) headers.delete(name)
    headers.set('content-type', JSON_CONTENT_TYPE)
  }
  if (settings.upstreamStatusHeader !== null) headers.set(settings.upstreamStatusHeader, String(response.status))
  if (settings.retryHints) {
    if (decision.retryable !== null) headers.set('x-should-retry', String(decision.retryable))
    if (RETRY_STATUSES.has(decision.status) && decision.retryable !== false) {
      const delay = retryDelayFromHeaders((name) => response.headers.get(name) ?? undefined) ?? decision.retryAfterMs
      if (delay !== null) for (const [name, value] of Object.entries(retryHeaders(delay))) headers.set(name, value)
    }
  }
  return new Response(body, { status: decision.status, headers })
}

/** The response as it came, its body replayed from what was read. */
const unchanged = (response: Response, body: ReadableStream<Uint8Array>): Response =>
  new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })

async function normalizeJson (job: Job, peek: WebPeek, stop: Promise<typeof STOPPED>): Promise<Response> {
  const { settings, response } = job
  const limit = settings.maxBodyBytes
  while (peek.bytes <= limit && await peek.read(stop)) {
    // A head that starts like a success (`{"id":"...","object":"chat.completion"`) goes on at once.
    if (peek.bytes - peek.chunks[peek.chunks.length - 1].byteLength > HEAD_LOOK_BYTES) continue
    if (settings.table.gate.headRulesOut(readableHead(peek.head(), job.encoding, limit))) return unchanged(response, peek.replay())
  }
  if (!peek.ended || peek.bytes > limit) return unchanged(response, peek.replay())
  const body = readable(peek.head(), job.encoding, false, limit)
  const decision = inspectResponse(settings, response.status, response.headers.get('content-type') ?? undefined, body, undefined, job.table)
  if (decision === null) return unchanged(response, peek.replay())
  notify(job, 'body', decision)
  if (settings.reportOnly) return unchanged(response, peek.replay())
  // Without a rewrite the status changes and the bytes, still encoded as they came, do not.
  return decided(job, decision, settings.rewriteBody ? errorBody(settings.dialect, pathOf(job.request?.url ?? response.url), decision.status, decision) : peek.replay())
}

/** The first record of an event or line stream within `limit` bytes; null when there is none in bounds. */
async function firstRecord (kind: RecordStream, job: Job, peek: WebPeek, stop: Promise<typeof STOPPED>, limit: number): Promise<SseEvent | null> {
  const first = kind === 'sse' ? firstDataEvent : firstJsonLine
  for (;;) {
    const read = await peek.read(stop)
    if (!read && !peek.ended) return null // stopped, or the source failed
    // A compressed head decodes to at most `limit * 4` bytes for the look.
    const text = readable(peek.head(), job.encoding, !peek.ended, limit * 4).toString('utf8')
    const event = first(text, peek.ended)
    if (event !== undefined) return event
    if (peek.bytes > limit) return null
  }
}

async function normalizeRecords (kind: RecordStream, job: Job, peek: WebPeek, stop: Promise<typeof STOPPED>): Promise<Response> {
  const { settings, response } = job
  const sse = settings.sse as NonNullable<Settings['sse']>
  const event = await firstRecord(kind, job, peek, stop, sse.peekBytes)
  if (event === null) return unchanged(response, peek.replay())
  const found = firstRecordError(settings, job.table, pathOf(job.request?.url ?? response.url), event)
  if (found === null) return unchanged(response, peek.replay())
  const { decision, body } = found
  notify(job, 'stream', decision)
  if (settings.reportOnly) return unchanged(response, peek.replay())
  peek.cancel()
  return decided(job, decision, body)
}

/** How the body is read, decided from the request and the headers alone; null when it is not ours to read. */
function readingOf (settings: Settings, response: Response, request: Request | undefined): 'json' | RecordStream | null {
  const status = response.status
  if (response.body === null || request?.method === 'HEAD' || !isJudgedStatus(settings, status)) return null
  if (!isReadableEncoding(response.headers.get('content-encoding') ?? undefined)) return null
  const contentType = response.headers.get('content-type') ?? undefined
  const records = contentType === undefined ? null : recordStreamOf(contentType)
  // Record streams are read only with a 2xx: an error status is the upstream's own answer.
  if (records !== null) return status < 300 && settings.sse !== null && settings.inspectStreams ? records : null
  if (!isJsonContentType(contentType) || Number(response.headers.get('content-length')) > settings.maxBodyBytes) return null
  return 'json'
}

async function normalize (settings: Settings, response: Response, request: Request | undefined): Promise<Response> {
  const reading = readingOf(settings, response, request)
  if (reading === null) return response
  const subject: Subject = { response, request, log: SILENT }
  const job: Job = {
    settings,
    response,
    request,
    encoding: response.headers.get('content-encoding') ?? undefined,
    // Settings.tableFor asks the provider function about a Fastify request; here it gets the subject, which has
    // what that asks of it (a log) and what the wrapped function reads (the response and the request).
    table: () => settings.tableFor(subject as unknown as FastifyRequest)
  }
  const peek = new WebPeek((response.body as ReadableStream<Uint8Array>).getReader())
  let timer: NodeJS.Timeout | undefined
  const stop = new Promise<typeof STOPPED>((resolve) => {
    timer = setTimeout(resolve, reading === 'json' ? settings.jsonPeekTimeoutMs : (settings.sse as NonNullable<Settings['sse']>).peekTimeoutMs, STOPPED)
  })
  const normalized = await (reading === 'json' ? normalizeJson(job, peek, stop) : normalizeRecords(reading, job, peek, stop))
    // A user rule threw: the response goes out as it came.
    .catch(() => unchanged(response, peek.replay()))
  clearTimeout(timer)
  return normalized
}

/** The options as `normaliseOptions` checks them: the provider function wrapped to take the subject. */
function pluginOptions (options: unknown): unknown {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return options
  const given = options as Record<string, unknown>
  for (const key of FASTIFY_ONLY) {
    if (given[key] !== undefined) throw new InvalidOptionError(key, 'is an option of the Fastify plugin, not of the Fetch adapter')
  }
  const pick = given.provider
  if (typeof pick !== 'function') return options
  return { ...given, provider: (subject: Subject): unknown => pick(subject.response, subject.request) }
}

/** Validate the options once; the function returned normalises each response and never rejects. */
export function createNormalizer (options?: FetchNormalizeOptions): Normalizer {
  const { settings } = normaliseOptions(pluginOptions(options))
  return async (response, request) => await normalize(settings, response, request)
}

/** `createNormalizer(options)(response, request)`: validates the options on every call. */
export async function normalizeResponse (response: Response, options?: FetchNormalizeOptions, request?: Request): Promise<Response> {
  return await createNormalizer(options)(response, request)
}
