import type { MiddlewareHandler } from 'hono'
import { createNormalizer, type FetchNormalizeOptions } from './index'

// hono is an optional peer: only its types are imported here, so this module loads without it.

/**
 * Hono middleware: after the handler, the response leaves with the status its body means. Options are
 * validated once, here (throws FST_OPENAI_ERRORS_INVALID_OPTION naming the option).
 */
export function openaiErrors (options?: FetchNormalizeOptions): MiddlewareHandler {
  const normalize = createNormalizer(options)
  return async (c, next) => {
    await next()
    const normalized = await normalize(c.res, c.req.raw)
    if (normalized === c.res) return
    // Hono's setter copies the old response's headers onto the new one, which would bring back the framing
    // headers a JSON answer dropped (content-encoding, content-length): the old one is let go first.
    c.res = undefined
    c.res = normalized
  }
}
