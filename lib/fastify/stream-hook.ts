import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'
import { JSON_CONTENT_TYPE } from '../output/body'
import { errorBody } from '../output/dialect'
import { applyToResponse } from './respond'
import { inspectResponse, isJudgedStatus } from '../core/inspect'
import type { Settings } from '../settings/options'
import { isJsonContentType } from '../core/gate'
import { firstDataEvent, firstJsonLine, ndjsonReader, recordStreamOf, sseReader, type RecordStream, type SseEvent } from '../stream/sse'
import { firstRecordError } from '../stream/first-record'
import { decodeAsync, decodeHead, isReadableEncoding } from '../stream/decode'
import { Stop, StreamPeek, toNodeStream } from '../stream/peek'

const EMPTY = Buffer.alloc(0)

// Stream bodies (what @fastify/reply-from hands onSend): read the head, decide, then send either a
// JSON error instead of the stream or every byte of the stream as it came.

// What an error event looks like in a chunk of a stream that already started (best effort: a mark split
// across two chunks is missed).
const LATE_ERROR_MARKS = ['event: error', 'event:error', 'data: {"error"', 'data:{"error"', '{"object":"error"', '{"type":"error"', '{"error":']

/**
 * Whether a warning logged on `log` goes anywhere: the late-error watch reads every chunk of a stream for its whole
 * life, for nothing when nobody reads the warning (Fastify's null logger, `logger: false`, or a level above warn).
 */
export function logsWarnings (log: FastifyRequest['log']): boolean {
  const levels = log as { isLevelEnabled?: (level: string) => boolean, level?: unknown, warn: { name: string } }
  if (typeof levels.isLevelEnabled === 'function') return levels.isLevelEnabled('warn')
  return levels.level !== undefined || levels.warn.name !== 'noop'
}

/** Replace the stream with a JSON error body: the headers that described the stream no longer hold. */
function answerWithJson (reply: FastifyReply, body: string): string {
  reply.removeHeader('content-encoding')
  reply.removeHeader('content-length')
  reply.removeHeader('transfer-encoding')
  reply.header('content-type', JSON_CONTENT_TYPE)
  return body
}

// How far into a body its head is looked at for a sign that it is not an error (the gate reads 160 bytes of it).
const HEAD_LOOK_BYTES = 1024

// How much of a compressed head is decoded for that look: the gate's 160 bytes and some white space before them.
const HEAD_DECODE_BYTES = 192

/**
 * Whether the head read so far shows a body that cannot be an error. A compressed head is decoded for the look
 * (gzip and deflate its first 192 bytes, in place; br by zlib, off the event loop when large); one that does not
 * decode, or whose look is cut short, is read on and judged whole.
 */
async function headRulesOut (settings: Settings, peek: StreamPeek, encoding: string | undefined): Promise<boolean> {
  const raw = peek.head()
  const inflated = encoding === undefined ? raw : decodeHead(raw, encoding, HEAD_DECODE_BYTES)
  const head = inflated !== undefined ? inflated : await decodeAsync(raw, encoding, true, settings.maxBodyBytes)
  return head !== null && settings.table.gate.headRulesOut(head)
}

async function peekJson (settings: Settings, request: FastifyRequest, reply: FastifyReply, peek: StreamPeek, stop: Stop): Promise<unknown> {
  const limit = settings.maxBodyBytes
  const encoding = reply.getHeader('content-encoding') as string | undefined
  const length = Number(reply.getHeader('content-length')) // NaN without one
  // Decided on the head: a body that starts like a success (`{"id":"...","object":"chat.completion"`) goes on at
  // once, whatever its framing, and the rest is piped behind it. Only one that is all here already is read to its
  // end: sending the bytes in hand is cheaper than a stream.
  let success = false
  while (peek.bytes <= limit && await peek.read(stop)) {
    if (peek.bytes > HEAD_LOOK_BYTES + peek.chunks[peek.chunks.length - 1].length) continue
    if (!await headRulesOut(settings, peek, encoding)) continue
    if (!(peek.bytes >= length)) return peek.replay()
    success = true
  }
  if (!peek.ended || peek.bytes > limit) return peek.replay()
  const raw = peek.head()
  // A whole body read: from here on it is sent as bytes, which Fastify measures itself.
  reply.removeHeader('transfer-encoding')
  if (success) return raw
  const body = await decodeAsync(raw, encoding, false, limit)
  if (body === null) return raw
  const decision = inspectResponse(settings, reply.statusCode, reply.getHeader('content-type'), body, request.log, () => settings.tableFor(request))
  // Without a rewrite the status changes and the bytes, still encoded as they came, do not.
  if (decision === null || !applyToResponse(settings, request, reply, 'stream', decision) || !settings.rewriteBody) return raw
  return answerWithJson(reply, errorBody(settings.dialect, request.url, decision.status, decision))
}

/**
 * The first record of an event or line stream, read incrementally: each chunk's text is decoded once (UTF-8 split
 * across chunks, a byte order mark at the start) and parsed once. A compressed stream's head is decoded again as it
 * grows (within `limit * 4` decoded bytes), and only its new text is parsed.
 */
async function firstRecord (kind: RecordStream, peek: StreamPeek, stop: Stop, encoding: string | undefined, limit: number): Promise<SseEvent | null> {
  const reader = kind === 'sse' ? sseReader() : ndjsonReader()
  const text = new TextDecoder('utf-8')
  let decoded = 0
  for (;;) {
    const read = await peek.read(stop)
    if (!read && !peek.ended) return null // stopped, or the source failed
    let fresh: Buffer
    if (encoding === undefined) {
      fresh = read ? peek.chunks[peek.chunks.length - 1] : EMPTY
    } else {
      const head = await decodeAsync(peek.head(), encoding, !peek.ended, limit * 4)
      if (head === null) return null
      fresh = head.subarray(decoded)
      decoded = head.length
    }
    const event = reader.feed(text.decode(fresh, { stream: !peek.ended }))
    if (event !== undefined) return event
    if (peek.ended) return reader.end()
    if (peek.bytes > limit) return null
  }
}

/**
 * An event stream or NDJSON body sent whole (a gateway that buffered its upstream's answer) whose first record is an
 * error: the reply gets its status and this JSON answer. Null to send the body as it is. Never throws.
 */
export function bufferedRecordAnswer (settings: Settings, request: FastifyRequest, reply: FastifyReply, payload: string | Buffer, contentType: string): string | null {
  const kind = recordStreamOf(contentType)
  const status = reply.statusCode
  if (kind === null || settings.sse === null || request.method === 'HEAD' || status < 200 || status >= 300 || payload.length > settings.maxBodyBytes) return null
  if (reply.getHeader('content-encoding') !== undefined) return null
  const text = typeof payload === 'string' ? payload : new TextDecoder('utf-8').decode(payload)
  // At the end of the text there is no "more needed": a record, or none (null).
  const event = (kind === 'sse' ? firstDataEvent : firstJsonLine)(text, true)
  if (event == null) return null
  try {
    const found = firstRecordError(settings, () => settings.tableFor(request), request.url, event)
    if (found === null || !applyToResponse(settings, request, reply, 'body', found.decision)) return null
    return answerWithJson(reply, found.body)
  } catch (error) {
    request.log.error({ err: error }, 'fastify-openai-errors: a rule threw; response sent as it came')
    return null
  }
}

async function peekRecords (kind: RecordStream, settings: Settings, request: FastifyRequest, reply: FastifyReply, peek: StreamPeek, stop: Stop): Promise<unknown> {
  const sse = settings.sse as NonNullable<Settings['sse']>
  const encoding = reply.getHeader('content-encoding') as string | undefined
  let lateErrorLogged = false
  // Past the first event the status is sent; an error there can only be counted.
  const watch = encoding === undefined && logsWarnings(request.log)
    ? (chunk: Buffer): void => {
        // One search for "error" first: most chunks have none, and then the marks need not be tried.
        if (!lateErrorLogged && chunk.includes('error') && LATE_ERROR_MARKS.some((mark) => chunk.includes(mark))) {
          lateErrorLogged = true
          request.log.warn({ plugin: 'fastify-openai-errors', statusCode: reply.statusCode }, 'error event after the stream started: its status was already sent')
        }
      }
    : undefined
  const event = await firstRecord(kind, peek, stop, encoding, sse.peekBytes)
  if (event === null) return peek.replay(watch)
  const found = firstRecordError(settings, () => settings.tableFor(request), request.url, event)
  if (found === null) {
    // Events after the first one that came in the same read are past the status too.
    watch?.(peek.head())
    return peek.replay(watch)
  }
  if (!applyToResponse(settings, request, reply, 'stream', found.decision)) return peek.replay(watch)
  const answer = answerWithJson(reply, found.body)
  peek.drain() // last: nothing may throw after the source's bytes are let go
  return answer
}

/** How a stream body is read: as JSON to its end, or record by record; null when it is not ours to read. */
export type StreamReading = 'json' | RecordStream

/**
 * Whether a stream payload is read at all, decided from the request and the headers alone (synchronously, so a
 * stream that is not read goes on without a turn of the event loop).
 */
export function streamReading (settings: Settings, request: FastifyRequest, reply: FastifyReply): StreamReading | null {
  const status = reply.statusCode
  if (request.method === 'HEAD' || status === 204 || !isJudgedStatus(settings, status)) return null
  if (!isReadableEncoding(reply.getHeader('content-encoding'))) return null
  const contentType = reply.getHeader('content-type')
  const records = recordStreamOf(contentType)
  // Record streams are read only with a 2xx: an error status is the upstream's own answer.
  if (records !== null) return status < 300 && settings.sse !== null ? records : null
  if (!isJsonContentType(contentType) || Number(reply.getHeader('content-length')) > settings.maxBodyBytes) return null
  return 'json'
}

/**
 * What to send for a stream payload that `streamReading` says is read: a JSON error when its head is one, or the
 * bytes read so far followed by the rest. Never rejects.
 */
export async function inspectStream (settings: Settings, request: FastifyRequest, reply: FastifyReply, payload: Readable | ReadableStream, reading: StreamReading): Promise<unknown> {
  const peek = new StreamPeek(toNodeStream(payload))
  const stop = new Stop(reading !== 'json' ? (settings.sse as NonNullable<Settings['sse']>).peekTimeoutMs : settings.jsonPeekTimeoutMs, reply.raw)
  let sent: unknown
  try {
    sent = reading !== 'json' ? await peekRecords(reading, settings, request, reply, peek, stop) : await peekJson(settings, request, reply, peek, stop)
  } catch (error) {
    request.log.error({ err: error }, 'fastify-openai-errors: a rule threw; response sent as it came')
    sent = peek.replay()
  }
  stop.clear()
  if (stop.closed) {
    // The client left while we read: nobody will pull the rest, so let the upstream go now.
    peek.discard()
    return null
  }
  // The upstream failed before anything was sent: the error handler can still answer it (502/504).
  return peek.failure !== undefined ? peek.failed() : sent
}
