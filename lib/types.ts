/** Where a body's error came from; decides how much we trust it. */
export type EnvelopeShape = 'openai' | 'anthropic' | 'flat' | 'google' | 'string' | 'message'

/** The error found inside a response body, normalised across provider dialects. */
export interface Envelope {
  shape: EnvelopeShape
  /** The human message, '' when the body has none. */
  message: string
  type: string | undefined
  code: string | number | undefined
  param: string | null
  /** Google's canonical status name (`RESOURCE_EXHAUSTED`), when the body carries one. */
  statusName: string | undefined
  /** An HTTP error status (400-599) that the body itself claims, e.g. `code: 429` or `code: "429"`. */
  hint: number | undefined
  /** A bare `{"message": ...}` body: remapped only when a rule recognises it, never by the fallback. */
  weak: boolean
}

export type TextMatcher = string | RegExp | ReadonlyArray<string | RegExp>

/** One row of the mapping table. Every matcher given must match; at least one is required. */
export interface Rule {
  /** Shown in decisions and logs: which rule decided. */
  name: string
  type?: TextMatcher
  code?: string | number | ReadonlyArray<string | number>
  message?: TextMatcher
  /** The status the body claims (`code: 429`, `"429"`, `statusCode`) or Google's status name. */
  hint?: number | string | ReadonlyArray<number | string>
  when?: (envelope: Envelope) => boolean
  /** The HTTP status to answer with (400-599). */
  status: number
  /** Canonical OpenAI `type` to use when the plugin builds a body. */
  errorType?: string
  /** Canonical OpenAI `code` to use when the plugin builds a body. */
  errorCode?: string
  /** Whether retrying can help: false sends `x-should-retry: false`, true sends `x-should-retry: true`. */
  retryable?: boolean
}

/** The outcome of classifying an error envelope. */
export interface Decision {
  status: number
  type: string
  code: string | null
  message: string
  param: string | null
  /** The rule that decided: a rule's name, `status-hint`, or `fallback`. */
  rule: string
  /** The dialect of the body the error came in. */
  shape: EnvelopeShape
  /** What the deciding rule says of retrying; null when it says nothing. */
  retryable: boolean | null
  /** The wait the message states ("try again in 20s"), in ms, on a 429/503/529; null when none. */
  retryAfterMs: number | null
}
