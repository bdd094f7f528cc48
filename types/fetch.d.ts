import type { FastifyOpenaiErrorsRouteOptions, NormalizeEvent } from '../index'

declare namespace fastifyOpenaiErrorsFetch {
  /**
   * The plugin's inspect options, for a Fetch `Response`: `provider` may be a function of the response and the
   * request it answers. `inspectStreams: false` (like `sse: false`) leaves event and line streams unread; JSON
   * bodies are read either way (every Fetch body is a stream).
   */
  export interface FetchNormalizeOptions extends Omit<FastifyOpenaiErrorsRouteOptions, 'provider'> {
    /**
     * The upstream provider (see `providers`), or a function of the response and its request for gateways that
     * route to several. `undefined`/`null`, an unknown name or a throw means no provider.
     */
    provider?: string | ((response: Response, request: Request | undefined) => string | null | undefined)
    /** Called for every decision (and, in report-only mode, every decision it would have made). A throw is ignored. */
    onNormalize?: (event: NormalizeEvent) => void
  }

  /** What `createNormalizer()` returns: options validated once, applied to each response. Never rejects. */
  export type Normalizer = (response: Response, request?: Request) => Promise<Response>

  /**
   * Validate the options once (throws `FST_OPENAI_ERRORS_INVALID_OPTION` naming the option) and return the
   * function that gives each response the status its body means.
   */
  export function createNormalizer (options?: FetchNormalizeOptions): Normalizer

  /**
   * The response with the status its error body means (a 200 carrying `{"error": ...}` leaves as 404, 429...),
   * the body peeked at within the bounds and sent on byte for byte; the response itself when it is not read.
   * Validates `options` on every call: use `createNormalizer()` for many responses.
   */
  export function normalizeResponse (response: Response, options?: FetchNormalizeOptions, request?: Request): Promise<Response>
}

export = fastifyOpenaiErrorsFetch
