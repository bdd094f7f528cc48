import fp = require('fastify-plugin')
import type { FastifyInstance, onRequestHookHandler, RouteOptions } from 'fastify'
import { classifyEnvelope, classify as classifyWith, buildTable, type Table } from './classify'
import { findEnvelope } from './envelope'
import { createErrorHandler } from './error-handler'
import { notFoundHandler } from './not-found'
import { createOnSend } from './on-send'
import { openaiError } from './openai-error'
import { normaliseOptions, routeSettings, type Settings } from './options'
import { defaultRules } from './rules'
import { kBuiltByPlugin, kRouteSettings } from './symbols'
import { describeThrown } from './thrown'
import type { Decision } from './types'

function withRouteSettings (settings: Settings): onRequestHookHandler {
  return function openaiErrorsRouteSettings (request, _reply, done) {
    (request as unknown as Record<symbol, Settings>)[kRouteSettings] = settings
    done()
  }
}

function hooksOf (value: RouteOptions['onRequest']): onRequestHookHandler[] {
  if (value === undefined || value === null) return []
  return (Array.isArray(value) ? value : [value]) as onRequestHookHandler[]
}

async function fastifyOpenaiErrors (fastify: FastifyInstance, options: unknown): Promise<void> {
  const { settings, errorHandler, notFoundHandler: notFound } = normaliseOptions(options)
  fastify.decorateRequest(kRouteSettings as unknown as string, null)
  fastify.decorateReply(kBuiltByPlugin as unknown as string, false)
  fastify.addHook('onRoute', (route) => {
    const config = (route.config as Record<string, unknown> | undefined)?.openaiErrors
    if (config === undefined) return
    const perRoute = routeSettings(`${String(route.method)} ${route.url}`, config, settings)
    route.onRequest = [withRouteSettings(perRoute), ...hooksOf(route.onRequest)]
  })
  fastify.addHook('onSend', createOnSend(settings))
  if (errorHandler) fastify.setErrorHandler(createErrorHandler())
  if (notFound) fastify.setNotFoundHandler(notFoundHandler)
}

const plugin = fp(fastifyOpenaiErrors, { fastify: '5.x', name: 'fastify-openai-errors' })

const tables = new WeakMap<object, Table>()

/** The pure decision for a body (parsed value, JSON string or Buffer), with optional custom rules. */
function classify (body: unknown, options?: Parameters<typeof buildTable>[0] & { defaultRules?: boolean }): Decision | null {
  if (options === undefined) return classifyWith(body)
  let table = tables.get(options)
  if (table === undefined) {
    const { settings } = normaliseOptions({
      rules: options.rules,
      defaultRules: options.defaultRules ?? options.defaults,
      fallbackStatus: options.fallbackStatus,
      maxMessageChars: options.maxMessageChars
    })
    table = settings.table
    tables.set(options, table)
  }
  return classifyWith(body, table)
}

// CommonJS export in the Fastify plugins' pattern: the plugin itself, also as `.default` and by name,
// written so that Node's ES-module loader sees each named export.
module.exports = plugin
module.exports.default = plugin
module.exports.fastifyOpenaiErrors = plugin
module.exports.classify = classify
module.exports.classifyEnvelope = classifyEnvelope
module.exports.findEnvelope = findEnvelope
module.exports.defaultRules = defaultRules
module.exports.createErrorHandler = createErrorHandler
module.exports.describeThrown = describeThrown
module.exports.openaiError = openaiError
