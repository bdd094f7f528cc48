// Retry hints. Clients (openai, @anthropic-ai/sdk, the AI SDK) read `retry-after-ms`, then `retry-after`
// (seconds or an HTTP date), and obey `x-should-retry`. Upstream messages often say how long to wait in
// words; we turn that into headers, and never invent a delay that nobody stated.

/** The statuses a client retries after waiting, and that we give a wait to. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503, 529])

const ANCHOR = /\b(?:try again|retry)[ \t]{1,3}(?:after|in)[ \t]{1,3}(?:about[ \t]{1,3}|approximately[ \t]{1,3}|~)?/i
const PART = /^(\d{1,7}(?:\.\d{1,9})?)[ \t]?(milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)(?![a-z])/i
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60000, h: 3600000 }

function unitOf (word: string): number {
  const lower = word.toLowerCase()
  if (lower === 'ms' || lower.startsWith('milli')) return UNIT_MS.ms
  return UNIT_MS[lower[0]]
}

/**
 * The wait a message states, in ms: "Please try again in 20s", "Try again in 2 seconds", "Please retry in
 * 6ms", "try again in 7m12.96s", "retry after 1.5 minutes". Null when it states none.
 */
export function retryDelayFromMessage (message: string): number | null {
  const anchor = ANCHOR.exec(message)
  if (anchor === null) return null
  let rest = message.slice(anchor.index + anchor[0].length, anchor.index + anchor[0].length + 48)
  let total = 0
  let parts = 0
  // Up to three parts, as in "1h2m3s"; each anchored, so nothing backtracks.
  while (parts < 3) {
    const part = PART.exec(rest)
    if (part === null) break
    total += Number(part[1]) * unitOf(part[2])
    parts++
    rest = rest.slice(part[0].length).replace(/^[ \t]?(?:and[ \t])?/, '')
  }
  return parts === 0 ? null : Math.ceil(total)
}

/** The wait upstream headers state, in ms: `retry-after-ms`, else `retry-after` in seconds or as an HTTP date. */
export function retryDelayFromHeaders (get: (name: string) => unknown, now = Date.now()): number | null {
  const afterMs = get('retry-after-ms')
  const ms = Number(afterMs)
  if (Number.isFinite(ms) && ms >= 0 && String(afterMs).trim() !== '') return Math.ceil(ms)
  const after = get('retry-after')
  if (typeof after !== 'string' || after.trim() === '') return null
  const seconds = Number(after)
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : null
  const date = Date.parse(after)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}

/** `retry-after` (whole seconds, rounded up) and `retry-after-ms` for a wait. */
export function retryHeaders (delayMs: number): { 'retry-after': string, 'retry-after-ms': string } {
  return { 'retry-after': String(Math.ceil(delayMs / 1000)), 'retry-after-ms': String(delayMs) }
}
