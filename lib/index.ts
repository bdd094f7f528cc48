import fp = require('fastify-plugin')
import type { FastifyInstance } from 'fastify'
import { classify, classifyEnvelope, explain } from './core/classify'
import { findEnvelope } from './core/extract'
import { createErrorHandler, keepThrown } from './fastify/error-handler'
import { createOnSend } from './fastify/on-send'
import { openaiError } from './output/openai-error'
import { DECISION_CHANNEL } from './observe/channel'
import { resolveOtel } from './observe/otel'
import { normaliseOptions } from './settings/options'
import { attachRouteSettings, lateRouteSettings } from './fastify/route-settings'
import { defaultRules, providers } from './packs'
import { loadRules } from './rules-file'
import { kBuiltByPlugin, kRouteSettings, kThrown } from './fastify/symbols'
import { describeThrown } from './core/thrown'

async function fastifyOpenaiErrors (fastify: FastifyInstance, options: unknown): Promise<void> {
  const { settings, errorHandler, notFoundHandler: notFound } = normaliseOptions(options)
  // Once per process, here rather than on a request: with no @opentelemetry/api installed, decisions cost nothing more.
  resolveOtel()
  fastify.decorateRequest(kRouteSettings as unknown as string, null)
  fastify.decorateReply(kBuiltByPlugin as unknown as string, false)
  fastify.decorateReply(kThrown as unknown as string, null)
  fastify.addHook('onRoute', attachRouteSettings(settings))
  // The plugin sets no handler of the app's: it answers in place of Fastify's own default answers, from its hooks.
  // A thrown error is kept by onError; onSend answers it when what goes out is Fastify's default answer to it,
  // and answers Fastify's default 404 likewise. Whatever handler the app sets, before or after, stays in charge.
  if (errorHandler) fastify.addHook('onError', keepThrown)
  fastify.addHook('onSend', createOnSend(settings, lateRouteSettings(settings), { thrown: errorHandler, notFound }))
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
module.exports.providers = providers
module.exports.createErrorHandler = createErrorHandler
module.exports.describeThrown = describeThrown
module.exports.openaiError = openaiError
module.exports.loadRules = loadRules
module.exports.DECISION_CHANNEL = DECISION_CHANNEL
