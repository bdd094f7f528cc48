import t from 'tap'
import Fastify from 'fastify'
import plugin = require('../lib/index')
import { normaliseOptions, routeSettings } from '../lib/settings/options'

async function registerWith (options: unknown): Promise<Error | null> {
  const app = Fastify()
  try {
    await app.register(plugin as any, options as any)
    await app.ready()
    return null
  } catch (error) {
    return error as Error
  } finally {
    await app.close().catch(() => {})
  }
}

const bad: Array<[string, unknown, RegExp]> = [
  ['unknown option', { rewriteBodies: true }, /option "rewriteBodies" is not an option \(did you mean "rewriteBody"\?\)/],
  ['unknown option, nothing close', { colour: 'blue' }, /option "colour" is not an option \(known: rules,/],
  ['misspelt sse option', { sse: { peekByte: 10 } }, /option "sse.peekByte" is not an option \(did you mean "peekBytes"\?\)/],
  ['rules not an array', { rules: { status: 400 } }, /option "rules" must be an array/],
  ['rule not an object', { rules: ['x'] }, /option "rules\[0\]" must be an object, got "x"/],
  ['rule without a matcher', { rules: [{ status: 404 }] }, /option "rules\[0\]" needs at least one matcher/],
  ['rule without status', { rules: [{ type: 'x' }] }, /option "rules\[0\]\.status" must be an integer from 400 to 599, got undefined/],
  ['non-integer status', { rules: [{ type: 'x', status: 404.5 }] }, /"rules\[0\]\.status" must be an integer/],
  ['status outside 400-599', { rules: [{ type: 'x', status: 302 }] }, /"rules\[0\]\.status" must be an integer from 400 to 599, got 302/],
  ['status as a string', { rules: [{ type: 'x', status: '404' }] }, /got "404"/],
  ['unknown rule field', { rules: [{ type: 'x', status: 404, regex: /x/ }] }, /"rules\[0\]\.regex" is not a rule field \(use name,/],
  ['misspelt rule field', { rules: [{ type: 'x', staus: 404 }] }, /"rules\[0\]\.staus" is not a rule field \(did you mean "status"\?\)/],
  ['empty name', { rules: [{ name: '', type: 'x', status: 404 }] }, /"rules\[0\]\.name" must be a non-empty string/],
  ['bad type matcher', { rules: [{ type: 5, status: 404 }] }, /"rules\[0\]\.type" must be a string, a RegExp or a non-empty array/],
  ['empty matcher array', { rules: [{ message: [], status: 404 }] }, /"rules\[0\]\.message" must be/],
  ['bad code matcher', { rules: [{ code: {}, status: 404 }] }, /"rules\[0\]\.code" must be a string, a number/],
  ['bad hint matcher', { rules: [{ hint: [true], status: 404 }] }, /"rules\[0\]\.hint" must be a status number, a status name/],
  ['bad predicate', { rules: [{ when: 'yes', status: 404 }] }, /"rules\[0\]\.when" must be a function/],
  ['bad errorType', { rules: [{ type: 'x', status: 404, errorType: 3 }] }, /"rules\[0\]\.errorType" must be a non-empty string/],
  ['fallbackStatus outside range', { fallbackStatus: 200 }, /"fallbackStatus" must be an integer from 400 to 599 or 'leave', got 200/],
  ['fallbackStatus an unknown word', { fallbackStatus: 'keep' }, /"fallbackStatus" must be an integer from 400 to 599 or 'leave', got "keep"/],
  ['provider unknown', { provider: 'openia' }, /"provider" must be one of the providers \(.*\) or a function of the request, got "openia" \(did you mean "openai"\?\)/],
  ['provider not a string', { provider: 3 }, /"provider" must be one of the providers/],
  ['extractors not an array', { extractors: {} }, /"extractors" must be an array/],
  ['extractor not an object', { extractors: [1] }, /"extractors\[0\]" must be an object/],
  ['extractor field misspelt', { extractors: [{ name: 'x', marks: ['x'], extract: () => null, mark: 1 }] }, /"extractors\[0\]\.mark" is not an extractor field \(did you mean "marks"\?\)/],
  ['extractor without a name', { extractors: [{ marks: ['x'], extract: () => null }] }, /"extractors\[0\]\.name" must be a non-empty string/],
  ['extractor marks empty', { extractors: [{ name: 'x', marks: [], extract: () => null }] }, /"extractors\[0\]\.marks" must be a non-empty array/],
  ['extractor mark with a quote', { extractors: [{ name: 'x', marks: ['a"b'], extract: () => null }] }, /"extractors\[0\]\.marks" must be/],
  ['extractor without a function', { extractors: [{ name: 'x', marks: ['x'], extract: 'no' }] }, /"extractors\[0\]\.extract" must be a function/],
  ['rule weight out of range', { rules: [{ type: 'x', status: 404, weight: 100 }] }, /"rules\[0\]\.weight" must be an integer from 1 to 99/],
  ['rule provider not a string', { rules: [{ type: 'x', status: 404, provider: 1 }] }, /"rules\[0\]\.provider" must be a non-empty string/],
  ['maxBodyBytes zero', { maxBodyBytes: 0 }, /"maxBodyBytes" must be an integer from 1/],
  ['maxMessageChars not a number', { maxMessageChars: '1k' }, /"maxMessageChars" must be an integer/],
  ['boolean option not a boolean', { rewriteBody: 'yes' }, /"rewriteBody" must be a boolean, got "yes"/],
  ['errorHandler not a boolean', { errorHandler: 1 }, /"errorHandler" must be a boolean, got 1/],
  ['long string values are cut in the message', { rules: [{ type: 'x', status: 'x'.repeat(100) }] }, /got "x{40}\.\.\."/],
  ['object value described', { rewriteBody: {} }, /got an object/],
  ['array value described', { correctErrorStatus: [] }, /got an array/]
]

t.test('invalid options fail registration with an error that names the option', async (t) => {
  for (const [what, options, message] of bad) {
    const error = await registerWith(options)
    t.match(error, { code: 'FST_OPENAI_ERRORS_INVALID_OPTION', message }, what)
  }
})

t.test('options that are not an object fail registration', async (t) => {
  t.throws(() => normaliseOptions('fast'), { code: 'FST_OPENAI_ERRORS_INVALID_OPTION', message: /option "options" must be an object, got "fast"/ })
  t.throws(() => normaliseOptions(null), { message: /got null/ })
})

t.test('valid options register, and Fastify\'s own register options are let through', async (t) => {
  t.equal(await registerWith({}), null)
  t.equal(await registerWith(undefined), null)
  t.equal(await registerWith({
    rules: [{ name: 'r', type: [/x/, 'y'], code: [1, 'c'], message: 'm', hint: ['RESOURCE_EXHAUSTED', 429], when: () => true, status: 404, errorType: 't', errorCode: 'c' }],
    defaultRules: false,
    fallbackStatus: 502,
    maxMessageChars: 10,
    maxBodyBytes: 10,
    rewriteBody: true,
    correctErrorStatus: true,
    errorHandler: false,
    notFoundHandler: false,
    logLevel: 'warn',
    prefix: '/x'
  }), null)
})

t.test('normalised settings are frozen and unnamed rules get their position as a name', async (t) => {
  const { settings, errorHandler, notFoundHandler } = normaliseOptions({ rules: [{ type: 'x', status: 404 }] })
  t.ok(Object.isFrozen(settings))
  t.ok(Object.isFrozen(settings.table))
  t.equal(settings.table.userRules[0].rule.name, 'rules[0]')
  t.equal(settings.maxBodyBytes, 65536)
  t.equal(settings.rewriteBody, false)
  t.equal(settings.correctErrorStatus, false)
  t.equal(errorHandler, true)
  t.equal(notFoundHandler, true)
})

t.test('route settings: false disables, true keeps the plugin settings, an object overrides', async (t) => {
  const { settings } = normaliseOptions({ maxBodyBytes: 100, rules: [{ name: 'plugin', type: 'a', status: 418 }] })
  t.equal(routeSettings('GET /', false, settings).enabled, false)
  t.equal(routeSettings('GET /', true, settings), settings)
  const own = routeSettings('GET /', { rewriteBody: true, rules: [{ name: 'route', type: 'a', status: 409 }] }, settings)
  t.equal(own.maxBodyBytes, 100, 'inherited')
  t.equal(own.rewriteBody, true, 'overridden')
  t.same(own.table.userRules.map((r) => r.rule.name), ['route', 'plugin'], 'route rules run before the plugin rules')
  t.same(routeSettings('GET /', { maxBodyBytes: 5 }, settings).table.userRules.map((r) => r.rule.name), ['plugin'])
})

t.test('invalid route config names the route and the option', async (t) => {
  const { settings } = normaliseOptions({})
  t.throws(() => routeSettings('GET /v1/x', 'yes', settings), {
    code: 'FST_OPENAI_ERRORS_INVALID_ROUTE_CONFIG',
    message: 'fastify-openai-errors: route GET /v1/x: config.openaiErrors must be false or an object of options, got "yes"'
  })
  t.throws(() => routeSettings('GET /v1/x', { errorHandler: false }, settings), { message: /config\.openaiErrors\.errorHandler is not an option/ })
  t.throws(() => routeSettings('GET /v1/x', { rules: [{ status: 404 }] }, settings), { message: /config\.openaiErrors\.rules\[0\] needs at least one matcher/ })
})

t.test('stream options: sse false or bounded numbers, jsonPeekTimeoutMs, inspectStreams', async (t) => {
  const { settings } = normaliseOptions({ sse: { peekBytes: 100, peekTimeoutMs: 50 }, jsonPeekTimeoutMs: 10, inspectStreams: false })
  t.same(settings.sse, { peekBytes: 100, peekTimeoutMs: 50 })
  t.equal(settings.jsonPeekTimeoutMs, 10)
  t.equal(settings.inspectStreams, false)
  t.equal(normaliseOptions({ sse: false }).settings.sse, null)
  t.same(normaliseOptions({}).settings.sse, { peekBytes: 16384, peekTimeoutMs: 5000 })
  t.same(normaliseOptions(undefined).settings.sse, { peekBytes: 16384, peekTimeoutMs: 5000 })
  t.throws(() => normaliseOptions({ sse: true }), { message: /option "sse" must be false or an object/ })
  t.throws(() => normaliseOptions({ sse: { bytes: 1 } }), { message: /option "sse\.bytes" is not an option/ })
  t.throws(() => normaliseOptions({ sse: { peekBytes: 0 } }), { message: /option "sse\.peekBytes" must be an integer/ })
  t.throws(() => normaliseOptions({ sse: { peekTimeoutMs: 1.5 } }), { message: /option "sse\.peekTimeoutMs" must be an integer/ })
  t.throws(() => normaliseOptions({ jsonPeekTimeoutMs: -5 }), { message: /option "jsonPeekTimeoutMs" must be an integer/ })
  t.throws(() => normaliseOptions({ inspectStreams: 'no' }), { message: /option "inspectStreams" must be a boolean/ })
})

t.test('route rules on a plugin without rules of its own', async (t) => {
  const { settings } = normaliseOptions({})
  t.same(routeSettings('GET /', { rules: [{ name: 'only', type: 'a', status: 409 }] }, settings).table.userRules.map((r) => r.rule.name), ['only'])
})

t.test('a route\'s sse bounds refine the plugin\'s field by field; false on either side wins', async (t) => {
  const { settings } = normaliseOptions({ sse: { peekTimeoutMs: 100 } })
  t.same(routeSettings('GET /', { sse: { peekBytes: 10 } }, settings).sse, { peekBytes: 10, peekTimeoutMs: 100 })
  t.equal(routeSettings('GET /', { sse: false }, settings).sse, null)
  t.same(routeSettings('GET /', { rewriteBody: true }, settings).sse, { peekBytes: 16384, peekTimeoutMs: 100 })
  const off = normaliseOptions({ sse: false }).settings
  t.same(routeSettings('GET /', { sse: { peekBytes: 10 } }, off).sse, { peekBytes: 10, peekTimeoutMs: 5000 })
})
