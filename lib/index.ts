import fp = require('fastify-plugin')
import type { FastifyInstance } from 'fastify'
import { classifyEnvelope } from './classify'
import { classify, explain } from './classify-public'
import { findEnvelope } from './envelope'
import { createErrorHandler, errorHandlerFor } from './error-handler'
import { notFoundHandlerFor } from './not-found'
import { createOnSend } from './on-send'
import { openaiError } from './openai-error'
import { normaliseOptions } from './options'
import { attachRouteSettings, lateRouteSettings } from './route-settings'
import { defaultRules } from './rules'
import { kBuiltByPlugin, kRouteSettings } from './symbols'
import { describeThrown } from './thrown'

async function fastifyOpenaiErrors (fastify: FastifyInstance, options: unknown): Promise<void> {
  const { settings, errorHandler, notFoundHandler: notFound } = normaliseOptions(options)
  fastify.decorateRequest(kRouteSettings as unknown as string, null)
  fastify.decorateReply(kBuiltByPlugin as unknown as string, false)
  fastify.addHook('onRoute', attachRouteSettings(settings))
  // One resolver (and one cache) for the routes onRoute never saw, shared by the hook and the error handler.
  const late = lateRouteSettings(settings)
  fastify.addHook('onSend', createOnSend(settings, late))
  if (errorHandler) fastify.setErrorHandler(errorHandlerFor(settings, late))
  // In report-only mode unknown routes keep Fastify's own 404.
  if (notFound && !settings.reportOnly) fastify.setNotFoundHandler(notFoundHandlerFor(settings))
}

const plugin = fp(fastifyOpenaiErrors, { fastify: '5.x', name: 'fastify-openai-errors' })

// CommonJS export in the Fastify plugins' pattern: the plugin itself, also as `.default` and by name,
// written so that Node's ES-module loader sees each named export.
module.exports = plugin
module.exports.default = plugin
module.exports.fastifyOpenaiErrors = plugin
module.exports.classify = classify
module.exports.explain = explain
module.exports.classifyEnvelope = classifyEnvelope
module.exports.findEnvelope = findEnvelope
module.exports.defaultRules = defaultRules
module.exports.createErrorHandler = createErrorHandler
module.exports.describeThrown = describeThrown
module.exports.openaiError = openaiError
