import type { Decision } from '../types'

// Error bodies come in storms of the same bytes: every request with one revoked key gets the same 401, every call to
// a misconfigured model the same 404, every request during an outage the same 503. A table's decision for a body is
// a pure function of the body (a table with a user `when` or user extractors is not cached: those are the user's
// functions), so the decision for a small body is kept, and a repeat costs a lookup instead of a parse and a
// classification. Measured in process (bench/bodies.js' OpenAI 404): a repeat costs 0.9 us instead of 3.3 us.
//
// What is kept must not become garbage at the rate bodies arrive: entries live long enough to reach V8's old
// generation, and a cache that admitted one miss in 8 and pushed its oldest out grew a server's RSS by 15 MB under
// bodies that never repeat (bench/ error-varied). So one miss in ADMIT_EVERY is admitted, a full cache admits
// nothing, and once full it starts over RESET_AFTER_MISSES misses after its last start (new bodies get their turn).

export const MAX_CACHED_BODY_CHARS = 4096
export const MAX_CACHED_DECISIONS = 64
export const ADMIT_EVERY = 32
export const RESET_AFTER_MISSES = 65536

/** A body's classification: a decision (frozen once kept, then shared by every request that sends the body), or null. */
export type CachedDecision = Readonly<Decision> | null

/** One table's decisions, by body. */
export interface DecisionCache {
  /** The key a body is kept under; null for one too big to keep. */
  keyOf: (body: string | Buffer) => string | null
  get: (key: string) => CachedDecision | undefined
  set: (key: string, decision: Decision | null) => CachedDecision
}

// Text and bytes apart: a Buffer is keyed by its latin1 text (one char a byte) after a NUL, which no JSON text starts with.
function keyOf (body: string | Buffer): string | null {
  if (body.length > MAX_CACHED_BODY_CHARS) return null
  return typeof body === 'string' ? body : '\0' + body.toString('latin1')
}

/** An empty cache, for one table. */
export function createDecisionCache (): DecisionCache {
  const entries = new Map<string, CachedDecision>()
  let misses = 0
  return {
    keyOf,
    get: (key) => entries.get(key),
    set (key, decision) {
      misses++
      if (entries.size >= MAX_CACHED_DECISIONS) {
        if (misses < RESET_AFTER_MISSES) return decision
        entries.clear()
        misses = 0
      }
      if (misses % ADMIT_EVERY !== 0) return decision
      const kept = decision === null ? null : Object.freeze(decision)
      entries.set(key, kept)
      return kept
    }
  }
}

/** A body's decision: the one `cache` kept for it, else what `classify()` makes of it, offered to the cache. */
export function cachedDecision (cache: DecisionCache | null, body: string | Buffer, classify: () => Decision | null): Decision | null {
  if (cache === null) return classify()
  const key = cache.keyOf(body)
  if (key === null) return classify()
  const known = cache.get(key)
  return known !== undefined ? known : cache.set(key, classify())
}
