import { createParser } from 'eventsource-parser'

// Pure server-sent-events reading: find the first event that carries data, as the spec parses it
// (html.spec.whatwg.org/multipage/server-sent-events.html), skipping comments and pings.

export interface SseEvent {
  /** The `event:` name, undefined for the default "message". */
  event: string | undefined
  data: string
}

/** Streams read record by record: events (SSE) or lines (NDJSON), where only the first record is waited for. */
export type RecordStream = 'sse' | 'ndjson'

/** Which record stream a content type names, or null for neither. */
export function recordStreamOf (contentType: unknown): RecordStream | null {
  if (typeof contentType !== 'string') return null
  const lower = contentType.toLowerCase()
  if (lower.includes('text/event-stream')) return 'sse'
  return /ndjson|jsonl|json-seq|jsonlines/.test(lower) ? 'ndjson' : null
}

/** Events that keep a connection alive and say nothing about success or failure. */
const KEEPALIVE_EVENTS = new Set(['ping', 'keepalive', 'heartbeat'])

/** Reads a stream's records as its text arrives, up to the first one that says something. */
export interface RecordReader {
  /** Take the next piece of the stream's text: the first record once it is whole, undefined while more is needed. */
  feed: (text: string) => SseEvent | undefined
  /** The stream ended: the first record (one the end completed, too), or null when there was none. */
  end: () => SseEvent | null
}

/** The first event that carries data (not a keep-alive), parsed incrementally by eventsource-parser. */
export function sseReader (): RecordReader {
  let found: SseEvent | undefined
  const parser = createParser({
    onEvent (message) {
      if (found === undefined && !KEEPALIVE_EVENTS.has(message.event ?? '')) found = { event: message.event, data: message.data }
    }
  })
  return {
    feed (text) {
      if (found === undefined) parser.feed(text)
      return found
    },
    end () {
      // The stream ended inside an event: what it had is the event (a blank line completes it).
      if (found === undefined) parser.feed('\n\n')
      return found ?? null
    }
  }
}

/**
 * The first record of a line-delimited JSON stream (`application/x-ndjson`, Ollama's native API), as an event with
 * that line as its data; each piece of text is scanned once.
 */
export function ndjsonReader (): RecordReader {
  let pending = ''
  return {
    feed (text) {
      pending += text
      let index = 0
      for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', index)) {
        const line = record(pending.slice(index, end))
        if (line !== '') return { event: undefined, data: line }
        index = end + 1
      }
      pending = pending.slice(index)
      return undefined
    },
    end () {
      const last = record(pending)
      return last === '' ? null : { event: undefined, data: last }
    }
  }
}

/** A stream's text may start with a byte order mark, which is not part of its first line. */
const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)

function firstOf (reader: RecordReader, text: string, ended: boolean): SseEvent | null | undefined {
  const event = reader.feed(withoutBom(text))
  if (event !== undefined) return event
  return ended ? reader.end() : undefined
}

/**
 * The first event with data in `text`: the event, `null` when the stream ended with none, or `undefined` when more
 * text is needed to know.
 */
export function firstDataEvent (text: string, ended: boolean): SseEvent | null | undefined {
  return firstOf(sseReader(), text, ended)
}

/**
 * The JSON an event's data holds, with its text: the whole data, or else its first line (sglang sends
 * the error and `data: [DONE]` as one event). Null when neither parses.
 */
export function eventJson (event: SseEvent): { value: unknown, text: string } | null {
  for (const text of [event.data, event.data.split('\n', 1)[0]]) {
    try {
      return { value: JSON.parse(text), text }
    } catch {}
  }
  return null
}

/** The first record of a line-delimited JSON stream in `text`, as `firstDataEvent` gives the first event. */
export function firstJsonLine (text: string, ended: boolean): SseEvent | null | undefined {
  return firstOf(ndjsonReader(), text, ended)
}

// A JSON text sequence (RFC 7464) starts each record with a record separator.
function record (line: string): string {
  const trimmed = line.trim()
  return trimmed.charCodeAt(0) === 0x1e ? trimmed.slice(1).trim() : trimmed
}
