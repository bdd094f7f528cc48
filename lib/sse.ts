// Pure server-sent-events reading: find the first event that carries data, as the spec parses it
// (html.spec.whatwg.org/multipage/server-sent-events.html), skipping comments and pings.

export interface SseEvent {
  /** The `event:` name, undefined for the default "message". */
  event: string | undefined
  data: string
}

/** Events that keep a connection alive and say nothing about success or failure. */
const KEEPALIVE_EVENTS = new Set(['ping', 'keepalive', 'heartbeat'])

/**
 * The first event with data in `text`: the event, `null` when the stream ended with none, or
 * `undefined` when more text is needed to know.
 */
export function firstDataEvent (text: string, ended: boolean): SseEvent | null | undefined {
  let event: string | undefined
  let data: string[] = []
  let index = 0
  while (index < text.length) {
    let end = index
    while (end < text.length && text.charCodeAt(end) !== 0x0a && text.charCodeAt(end) !== 0x0d) end++
    // A line is whole once its end of line arrived; a trailing \r may still be followed by \n.
    if (!ended && (end === text.length || (end + 1 === text.length && text.charCodeAt(end) === 0x0d))) return undefined
    const line = text.slice(index, end)
    index = end + (text.charCodeAt(end) === 0x0d && text.charCodeAt(end + 1) === 0x0a ? 2 : 1)
    if (line === '') {
      if (data.length > 0 && !KEEPALIVE_EVENTS.has(event ?? '')) return { event, data: data.join('\n') }
      event = undefined
      data = []
      continue
    }
    if (line.charCodeAt(0) === 0x3a /* : comment */) continue
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.charCodeAt(0) === 0x20) value = value.slice(1)
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
  }
  // The stream ended inside an event: what it had is the event.
  if (ended && data.length > 0 && !KEEPALIVE_EVENTS.has(event ?? '')) return { event, data: data.join('\n') }
  return ended ? null : undefined
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

/**
 * The first record of a line-delimited JSON stream (`application/x-ndjson`, Ollama's native API), as an event
 * with that line as its data: `null` when the stream ended with none, `undefined` when more text is needed.
 */
export function firstJsonLine (text: string, ended: boolean): SseEvent | null | undefined {
  let index = 0
  while (index < text.length) {
    const end = text.indexOf('\n', index)
    if (end === -1) break
    const line = record(text.slice(index, end))
    if (line !== '') return { event: undefined, data: line }
    index = end + 1
  }
  if (!ended) return undefined
  const last = record(text.slice(index))
  return last === '' ? null : { event: undefined, data: last }
}

// A JSON text sequence (RFC 7464) starts each record with a record separator.
function record (line: string): string {
  const trimmed = line.trim()
  return trimmed.charCodeAt(0) === 0x1e ? trimmed.slice(1).trim() : trimmed
}
