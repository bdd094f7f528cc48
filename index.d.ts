import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `false` turns the plugin off on this route: its responses are sent as they are and its thrown errors get
     * Fastify's own answer. `true` is the plugin's settings as they are. An object overrides the plugin's inspect
     * options for this route; its `rules` run before the plugin's. Checked once, when the route is added.
     */
    openaiErrors?: boolean | fastifyOpenaiErrors.FastifyOpenaiErrorsRouteOptions
  }
}

type FastifyOpenaiErrors = FastifyPluginCallback<fastifyOpenaiErrors.FastifyOpenaiErrorsOptions>

declare namespace fastifyOpenaiErrors {
  /** Where a body's error came from; decides how much it is trusted. */
  export type EnvelopeShape = 'openai' | 'anthropic' | 'flat' | 'google' | 'string' | 'message' | 'errors' | 'problem' |
  'detail' | 'code' | 'failure' | 'custom'

  /** The error found inside a response body, normalised across provider dialects. */
  export interface Envelope {
    shape: EnvelopeShape
    /** The human message, `''` when the body has none. */
    message: string
    type: string | undefined
    code: string | number | undefined
    param: string | null
    /** Google's canonical status name (`RESOURCE_EXHAUSTED`), when the body carries one. */
    statusName: string | undefined
    /** An HTTP error status (400-599) that the body itself claims, e.g. `code: 429` or `code: "429"`. */
    hint: number | undefined
    /** Where the claimed status was read, e.g. `error.code`, `status`, `raw_status_code`. */
    hintFrom: string | undefined
    /** The claim is the error object's own (`error.code: 429`), not a key beside it (`{"status": 500, "error": ...}`). */
    hintStrong: boolean
    /** A bare `{"message": ...}` body: remapped only when a rule recognises it, never by the fallback. */
    weak: boolean
  }

  /** A string, a RegExp, or a non-empty list of them; any one of them may match. */
  export type TextMatcher = string | RegExp | ReadonlyArray<string | RegExp>

  /**
   * One row of the mapping table. Every matcher given (`type`, `code`, `message`, `hint`, `when`) must match, and a
   * rule needs at least one of them: a rule without a matcher is rejected at registration
   * (`FST_OPENAI_ERRORS_INVALID_OPTION`), as is an unknown field.
   */
  export interface Rule {
    /** Shown in decisions and logs: which rule decided. Defaults to the rule's place, `rules[2]`. */
    name?: string
    /** The envelope's `type`: a string matches it exactly, a RegExp is tested against it. */
    type?: TextMatcher
    /** The envelope's `code`, compared as text: `429` matches `"429"`. */
    code?: string | number | ReadonlyArray<string | number>
    /** The message: a string matches case-insensitively anywhere in it, a RegExp is tested as given. */
    message?: TextMatcher
    /** The status the body claims (`code: 429`, `"429"`, `statusCode`) or Google's status name (`RESOURCE_EXHAUSTED`). */
    hint?: number | string | ReadonlyArray<number | string>
    /** Matches when it returns exactly `true`. A rule that throws leaves the response as it came. */
    when?: (envelope: Envelope) => boolean
    /**
     * How strong this rule's evidence is (1-99) when the default rules are weighed: by default from what it reads
     * (a status name 80, a code 70, a type 60, wording 50; +10 for each further matcher). User rules are not weighed:
     * the first that matches decides.
     */
    weight?: number
    /** The provider whose behaviour the rule describes (every default rule names one; `generic` for shared evidence). */
    provider?: string
    /** Where the behaviour comes from: a docs page, an issue with the raw response, the server's source. */
    source?: string
    /** The HTTP status to answer with: an integer from 400 to 599 (checked at registration). */
    status: number
    /** The OpenAI `type` for decisions and built bodies; defaults to the envelope's type, else the status's usual type. */
    errorType?: string
    /** The OpenAI `code` for decisions and built bodies; defaults to the envelope's code. */
    errorCode?: string
    /**
     * Whether retrying can help: `false` sends `x-should-retry: false` (and no wait), `true` sends
     * `x-should-retry: true`. Unset, clients decide by status. The default table sets `false` on quota, credits,
     * budget and context-length errors.
     */
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

  /** One step of a classification: a rule tried, the status hint taken, or the fallback. */
  export interface TrailStep {
    stage: 'user' | 'status-hint' | 'default' | 'wording' | 'fallback'
    rule: string
    matched: boolean
  }

  /** What `explain()` returns: the envelope found, the decision, and every rule tried on the way. */
  export interface Explanation {
    envelope: Envelope | null
    decision: Decision | null
    trail: TrailStep[]
    /** Every piece of evidence that matched, heaviest first: the first one decided. */
    evidence: Evidence[]
    /** How much heavier the winner was than the best evidence for another status; null when nothing disagreed. */
    margin: number | null
  }

  /** One piece of evidence a body gave: what it says the status is, and how much that is worth. */
  export interface Evidence {
    /** A user rule, the status the body claims, a default rule, wording that says the client erred, or the fallback. */
    kind: 'user' | 'claim' | 'rule' | 'wording' | 'fallback'
    /** The rule's name, `status-hint`, `client-wording` or `fallback`. */
    name: string
    status: number
    weight: number
    /** What it read: the matchers of a rule (`code+message`), the key of a claim (`error.code`). */
    reads: string
    provider: string | null
  }

  /** What a user extractor returns for a body shape of its own: the error's fields, or null when the body is not one. */
  export interface ExtractedError {
    message: string
    type?: string
    code?: string | number
    param?: string | null
    /** An HTTP status the body states (400-599); it weighs like an error object's own `code`. */
    status?: number | string
    /** A canonical status name (`NOT_FOUND`, `resource-exhausted`). */
    statusName?: string
  }

  /**
   * A body shape of your own: `marks` are the JSON keys that can only appear in it (the byte gate lets a body through
   * to the parser only when it has one of the extractors' marks), `extract` reads a parsed object body.
   */
  export interface Extractor {
    name: string
    marks: readonly string[]
    extract: (body: Record<string, unknown>, context: { depth: number, extractors: readonly Extractor[] }) => ExtractedError | null | undefined
  }

  /** A default rule: it always has a name, a provider and a source. */
  export type DefaultRule = Rule & { name: string, provider: string, source: string }

  /** One decision the plugin made (or, in report-only mode, would have made), for `onNormalize`. */
  export interface NormalizeEvent {
    /** Where it was decided: a response body, a stream body, a thrown error, an unknown route. */
    source: 'body' | 'stream' | 'error-handler' | 'not-found'
    method: string
    url: string
    /** The route pattern, e.g. `/v1/chat/completions`; undefined for unknown routes. */
    route: string | undefined
    /** The status before the plugin (the upstream's); null for thrown errors and unknown routes. */
    originalStatus: number | null
    status: number
    /** The rule that decided, `status-hint`, `fallback`, `thrown` or `not-found`. */
    rule: string
    /** The provider the deciding default rule comes from (`anthropic`, `litellm`...), `upstream` for SDK errors, or the body's shape. */
    provider: string | null
    type: string
    code: string | null
    /** True when the plugin only reported this and changed nothing. */
    reportOnly: boolean
  }

  /**
   * What is published on the `node:diagnostics_channel` channel `fastify-openai-errors:decision` (`DECISION_CHANNEL`)
   * for every decision: the `NormalizeEvent`, whether retrying helps (null when the table does not say), the request.
   * Built only when the channel has subscribers.
   */
  export interface DecisionMessage extends NormalizeEvent {
    retryable: boolean | null
    request: FastifyRequest
  }

  /** The name of the diagnostics channel decisions are published on: `'fastify-openai-errors:decision'`. */
  export const DECISION_CHANNEL: 'fastify-openai-errors:decision'

  /** The error shape of bodies the plugin builds: `auto` is Anthropic's on `/v1/messages...`, OpenAI's elsewhere. */
  export type Dialect = 'auto' | 'openai' | 'anthropic'

  /** How far into a `text/event-stream` body the plugin looks for its first data event. */
  export interface SseOptions {
    /**
     * Stop looking after this many bytes (an integer from 1 to 16777216) and send the stream on as it is.
     * @default 16384
     */
    peekBytes?: number
    /**
     * Stop looking after this many ms (an integer from 1 to 600000) and send the stream on as it is.
     * @default 5000
     */
    peekTimeoutMs?: number
  }

  /** What the error handler sends for a thrown error. */
  export interface ThrownDecision {
    status: number
    message: string
    type: string
    code: string | null
    param: string | null
    /** The status came from an upstream's answer or connection, not from our own code. */
    upstream: boolean
    /** Headers the error asks to be sent with it (`http-errors`' `headers`). */
    headers: Readonly<Record<string, string | number | string[]>> | null
    /** The error envelope of the upstream's answer, when an SDK error carries one. */
    envelope: Envelope | null
  }

  /** The fields of an OpenAI error body, for `openaiError()`. */
  export interface OpenaiErrorFields {
    message: string
    /** Defaults to what the mapping table names for this message and status, else the status's usual type. */
    type?: string
    code?: string | null
    param?: string | null
    /** Send the message even on a 5xx (it is never sent otherwise). */
    expose?: boolean
  }

  /** What `openaiError()` returns: an `http-errors` HttpError that also carries the OpenAI fields. */
  export interface OpenaiHttpError extends Error {
    status: number
    statusCode: number
    /** Whether the error handler sends `message` to the client: true below 500 unless `expose` said otherwise. */
    expose: boolean
    headers?: { [key: string]: string }
    openai: { type: string, code: string | null, param: string | null }
  }

  /** Options that shape how response bodies are inspected; each may also be set per route (`config.openaiErrors`). */
  export interface FastifyOpenaiErrorsRouteOptions {
    /**
     * Your own rules, tried in order before the status a body claims and before the default rules. On a route,
     * the route's rules run before the plugin's.
     * @default []
     */
    rules?: readonly Rule[]
    /**
     * Try the built-in table (`defaultRules`) after your rules.
     * @default true
     */
    defaultRules?: boolean
    /**
     * The status for an error envelope that no rule recognises, that claims no status of its own and whose wording
     * does not say the client erred (that is a 400): an integer from 400 to 599, or `'leave'` to report it and keep
     * the status it came with. A bare `{"message": ...}` body never falls back, and neither does a response that
     * already has an error status.
     * @default 500
     */
    fallbackStatus?: number | 'leave'
    /**
     * Rules see only this many characters of a message: an integer from 1 to 1048576.
     * @default 1024
     */
    maxMessageChars?: number
    /**
     * Bodies longer than this are sent as they are, never parsed: an integer from 1 to 67108864.
     * @default 65536
     */
    maxBodyBytes?: number
    /**
     * When the status changes, also replace the body with OpenAI's `{"error":{"message","type","param","code"}}`.
     * When false only the status changes and the body goes out as it came.
     * @default false
     */
    rewriteBody?: boolean
    /**
     * Also correct responses that already carry an error status (4xx, 5xx), when a rule (never the fallback)
     * names a different one. When false only 2xx responses are corrected.
     * @default false
     */
    correctErrorStatus?: boolean
    /**
     * Read stream bodies (what `@fastify/reply-from` sends): JSON up to `maxBodyBytes`, event streams up to their
     * first data event. When false only string and Buffer bodies are inspected.
     * @default true
     */
    inspectStreams?: boolean
    /**
     * How long to wait for a whole JSON stream body (an integer from 1 to 600000 ms) before sending it on unread.
     * @default 5000
     */
    jsonPeekTimeoutMs?: number
    /**
     * Bounds for reading event streams, or `false` to never read them.
     * @default { peekBytes: 16384, peekTimeoutMs: 5000 }
     */
    sse?: SseOptions | false
    /**
     * Change nothing: log (and tell `onNormalize`) what the plugin would have done. Thrown errors go to Fastify's
     * own handler; unknown routes get Fastify's own 404.
     * @default false
     */
    reportOnly?: boolean
    /**
     * The shape of bodies the plugin builds.
     * @default 'auto'
     */
    dialect?: Dialect
    /**
     * When the plugin changes a status, the original goes out in this header; `false` for none.
     * @default 'x-upstream-status'
     */
    upstreamStatusHeader?: string | false
    /**
     * The upstream provider (see `providers`), or a function of the request for gateways that route to several:
     * its pack's rules weigh more, so where providers disagree about the same words its own answer wins.
     * `undefined`/`null` from the function, or an unknown name, means no provider.
     * @default undefined
     */
    provider?: string | ((request: FastifyRequest) => string | null | undefined)
    /** Body shapes of your own, tried before the built-in ones. @default [] */
    extractors?: readonly Extractor[]
    /**
     * On a mapped 429/503/529, send `retry-after` and `retry-after-ms` from the upstream's headers or the wait its
     * message states (never an invented one), and `x-should-retry` when the table says whether retrying helps.
     * @default true
     */
    retryHints?: boolean
  }

  export interface FastifyOpenaiErrorsOptions extends FastifyOpenaiErrorsRouteOptions {
    /**
     * Answer thrown errors in place of Fastify's default error handler: an OpenAI-shaped body and the status that
     * matches it. The plugin sets no error handler: an onError hook keeps what was thrown, and onSend replaces what
     * Fastify's default handler sends for it. An error handler of the app's own (app, scope or route level, set
     * before or after the plugin) is never replaced; use `createErrorHandler()` to install the plugin's explicitly.
     * @default true
     */
    errorHandler?: boolean
    /**
     * Answer in place of Fastify's default 404 (its own body, byte for byte) like OpenAI does: 404,
     * `invalid_request_error`, code `unknown_url`. A not-found handler of the app's own is never replaced.
     * @default true
     */
    notFoundHandler?: boolean
    /**
     * Called for every decision (and, in report-only mode, every decision it would have made). A callback that
     * throws is logged; the response goes out all the same.
     */
    onNormalize?: (event: NormalizeEvent) => void
  }

  /** The function `createErrorHandler()` returns; give it to `fastify.setErrorHandler()` or call it from your own. */
  export type OpenaiErrorHandler = (this: unknown, error: unknown, request: FastifyRequest, reply: FastifyReply) => void

  /** The options `classify()` takes: the rule-table part of the plugin's options. */
  export type ClassifyOptions = Pick<FastifyOpenaiErrorsRouteOptions, 'rules' | 'defaultRules' | 'fallbackStatus' | 'maxMessageChars' | 'extractors'> & {
    /** The upstream provider: its pack's rules weigh more. */
    provider?: string
  }

  /**
   * Classify a response body (a parsed value, a JSON string or a Buffer): the status, type, code, message and param
   * it should leave with, and the rule that decided; `null` when it is not an error. Throws
   * `FST_OPENAI_ERRORS_INVALID_OPTION` for invalid options.
   */
  export function classify (body: unknown, options?: ClassifyOptions): Decision | null

  /** `classify()` with its working shown: the envelope found, the decision and every rule tried. */
  export function explain (body: unknown, options?: ClassifyOptions): Explanation

  /** The decision for an envelope found by `findEnvelope()`; `null` for a bare message no rule knows. */
  export function classifyEnvelope (envelope: Envelope, options?: ClassifyOptions): Decision | null

  /** The error envelope in a parsed body, in any dialect the plugin knows, or `null` when the body is not an error. */
  export function findEnvelope (body: unknown): Envelope | null

  /** The built-in mapping table, generated from the provider packs; every rule names its provider and source. */
  export const defaultRules: readonly DefaultRule[]

  /** The providers the `provider` option can name. */
  export const providers: readonly string[]

  /**
   * An error handler that answers every thrown error with an OpenAI-shaped body (Anthropic-shaped on the Messages
   * API) and the status that matches it, for composing with your own. Takes the plugin's options (validated the
   * same way). On a route with `config: { openaiErrors: false }`, and in report-only mode, it rethrows, handing
   * the error to the parent handler.
   */
  export function createErrorHandler (options?: FastifyOpenaiErrorsOptions): OpenaiErrorHandler

  /**
   * The OpenAI-shaped answer for anything a route, a hook or an upstream client threw. 4xx messages are the
   * client's to read; a 5xx gets a generic message unless the error is marked `expose: true`.
   */
  export function describeThrown (error: unknown): ThrownDecision

  /**
   * An `http-errors` error that the plugin's error handler answers with `status` and the OpenAI body.
   * `throw openaiError(404, { message: 'No such model', code: 'model_not_found' })`
   */
  export function openaiError (status: number, fields: OpenaiErrorFields | string): OpenaiHttpError

  /**
   * The rules in a rules file (JSON for `.json`, YAML for any other name), checked against the package's
   * `rules.schema.json`: a list of rules, or `{ rules: [...] }`. A file rule is a code rule with `message` as a RegExp
   * source (and `flags`); it has no `when`. Give the result to the plugin's `rules` option, where it is checked again
   * like any rule. Reads the file synchronously, once: call it at startup. Throws
   * `FST_OPENAI_ERRORS_INVALID_RULES_FILE` naming the file, the rule and the field, e.g.
   * `rules.yaml: rules[3].status: must be an integer from 400 to 599, got 700`.
   * `app.register(openaiErrors, { rules: loadRules('rules.yaml') })`
   */
  export function loadRules (file: string): Rule[]

  export const fastifyOpenaiErrors: FastifyOpenaiErrors
  export { fastifyOpenaiErrors as default }
}

/**
 * Gives every OpenAI-style error the HTTP status that matches it, even when the upstream answered 200.
 * Registered without encapsulation (fastify-plugin): its hook and handlers apply to the scope it is registered in.
 */
declare function fastifyOpenaiErrors (...params: Parameters<FastifyOpenaiErrors>): ReturnType<FastifyOpenaiErrors>
export = fastifyOpenaiErrors
