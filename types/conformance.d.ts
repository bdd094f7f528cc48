declare namespace fastifyOpenaiErrorsConformance {
  /** The ways an upstream fails (and one way it succeeds that looks like failing). */
  export type CaseKind = 'status' | '200' | 'gzip' | 'sse-first' | 'sse-mid' | 'success'

  export interface ConformanceOptions {
    /** The port the fake upstream listens on: the one the gateway's upstream URL points at (0: any free port). */
    upstreamPort: number
    /** Where the fake upstream listens. Default `'127.0.0.1'`; `'0.0.0.0'` for a gateway in a container. */
    upstreamHost?: string
    /** The gateway's base URL, e.g. `http://127.0.0.1:3000`. */
    gateway: string
    /** The gateway path the cases are sent to. Default `'/v1/chat/completions'`. */
    path?: string
    /** Every corpus entry in every way (about 1500 cases) instead of the default selection (about 60). Default `false`. */
    all?: boolean
    /** Only these case ids (as the table prints them, e.g. `200:clouds#3`), from every case. */
    only?: readonly string[]
    /** Ask the openai SDK (when installed) what a client sees; `false` works it out from the answer. Default `true`. */
    sdk?: boolean
    /** How long one request may take, in ms. Default `10000`. */
    timeoutMs?: number
  }

  /** One case of a run: what the upstream sent, what the gateway answered, what was expected. */
  export interface CaseResult {
    /** `<kind>:<corpus file>#<index>`. */
    id: string
    kind: CaseKind
    provider: string
    /** The public page the payload was taken from. */
    source: string
    upstreamStatus: number
    /** What the gateway answered; `null` when it did not answer. */
    gatewayStatus: number | null
    /** The status expected, with `", same bytes"` when the body must pass unchanged. */
    expected: string
    expectedStatus: number
    /** What an openai SDK caller sees: `success`, `RateLimitError 429`, `APIError after 1 event`... */
    outcome: string
    pass: boolean
    /** Why the case fails (`status 200, expected 429`, `the body changed`, `no answer: ...`); `null` when it passes. */
    problem: string | null
  }

  export interface ConformanceResult {
    pass: boolean
    cases: CaseResult[]
    /** The ids of the failing cases. */
    failed: string[]
  }

  /** What the fake upstream answers for a case. */
  export interface ConformanceCase {
    id: string
    kind: CaseKind
    provider: string
    source: string
    /** Whether the client asks for a stream (`"stream": true`). */
    stream: boolean
    upstream: { status: number, headers: Record<string, string>, body: Uint8Array }
    expectedStatus: number
    /** The body the gateway must pass on byte for byte (decoded), or `null` when only the status is judged. */
    expectedText: string | null
  }

  /**
   * Starts the fake upstream on `upstreamPort`, sends every case through the gateway (whose upstream URL points
   * there) and closes the upstream. Rejects only when it cannot run: an option it refuses
   * (`FST_OPENAI_ERRORS_CONFORMANCE_OPTION`, naming the option) or a port it cannot listen on; a failing case is
   * in `failed`.
   */
  export function runConformance (options: ConformanceOptions): Promise<ConformanceResult>

  /** The run as the CLI prints it: one row a case, then a line naming every failing case. */
  export function renderTable (result: ConformanceResult): string

  /** The cases a run would send: the default selection, `all`, or those named in `only`. */
  export function selectCases (selection: { all?: boolean, only?: readonly string[] }): ConformanceCase[]

  /** What each kind of case has the upstream do. */
  export const KIND_DESCRIPTIONS: Readonly<Record<CaseKind, string>>

  /** The request header carrying the case id (the body's `model` carries it too, for gateways that drop headers). */
  export const CASE_HEADER: 'x-conformance-case'
}

export = fastifyOpenaiErrorsConformance
