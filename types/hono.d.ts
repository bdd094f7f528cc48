import type { MiddlewareHandler } from 'hono'
import type { FetchNormalizeOptions } from './fetch'

declare namespace fastifyOpenaiErrorsHono {
  export type { FetchNormalizeOptions }

  /**
   * Hono middleware: after the handler, the response leaves with the status its body means (see
   * `normalizeResponse`). Validates the options once; throws `FST_OPENAI_ERRORS_INVALID_OPTION` naming the option.
   */
  export function openaiErrors (options?: FetchNormalizeOptions): MiddlewareHandler
}

export = fastifyOpenaiErrorsHono
