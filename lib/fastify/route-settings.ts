import type { FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify'
import { routeSettings, type Settings } from '../settings/options'
import { kRouteSettings } from './symbols'

// Per-route settings reach the hooks two ways. Routes added after the plugin loaded are seen by onRoute:
// their config is validated there (a bad value fails route registration) and a route-level onRequest hook
// hands the merged settings to the request, at no cost to other routes. Routes added before (a
// `register()` that was not awaited) are resolved the first time a response of theirs could be an error.

type WithSettings = FastifyRequest & { [kRouteSettings]: Settings | null }

export function settingsOf (request: FastifyRequest): Settings | null {
  return (request as WithSettings)[kRouteSettings]
}

function withRouteSettings (settings: Settings): onRequestHookHandler {
  return function openaiErrorsRouteSettings (request, _reply, done) {
    (request as WithSettings)[kRouteSettings] = settings
    done()
  }
}

function hooksOf (value: RouteOptions['onRequest']): onRequestHookHandler[] {
  if (value === undefined || value === null) return []
  return (Array.isArray(value) ? value : [value]) as onRequestHookHandler[]
}

/** The onRoute hook: validate `config.openaiErrors` once and attach the route's settings. */
export function attachRouteSettings (base: Settings): (route: RouteOptions) => void {
  return function openaiErrorsOnRoute (route) {
    const config = (route.config as Record<string, unknown> | undefined)?.openaiErrors
    if (config === undefined) return
    const settings = routeSettings(`${String(route.method)} ${route.url}`, config, base)
    route.onRequest = [withRouteSettings(settings), ...hooksOf(route.onRequest)]
  }
}

/** For routes onRoute never saw: their settings, resolved once per route and cached; null when they have none. */
export function lateRouteSettings (base: Settings): (request: FastifyRequest) => Settings | null {
  const cache = new WeakMap<object, Settings | null>()
  return function resolve (request) {
    const config = request.routeOptions.config as unknown as Record<string, unknown>
    if (config.openaiErrors === undefined) return null
    let settings = cache.get(config)
    if (settings === undefined) {
      try {
        settings = routeSettings(`${request.method} ${String(request.routeOptions.url)}`, config.openaiErrors, base)
      } catch (error) {
        request.log.error({ err: error }, 'fastify-openai-errors: invalid route config ignored (register the plugin before this route to have it rejected)')
        settings = null
      }
      cache.set(config, settings)
    }
    return settings
  }
}
