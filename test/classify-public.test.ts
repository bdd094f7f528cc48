import t from 'tap'
import { classify } from '../lib/core/classify'

t.test('classify without options uses the default table', async (t) => {
  t.match(classify('{"error":{"message":"No models available","type":"invalid_request_error"}}'), { status: 404, rule: 'litellm.no-models-available' })
  t.equal(classify('{"id":"x"}'), null)
})

t.test('classify with options builds the table once per options object', async (t) => {
  const options = { rules: [{ name: 'mine', message: 'warming up', status: 503 }], fallbackStatus: 502 }
  t.match(classify({ error: 'model is warming up' }, options), { status: 503, rule: 'mine' })
  t.match(classify({ error: 'mystery' }, options), { status: 502, rule: 'fallback' })
  // Built once: a change to the same options object is not seen; a new object gets a table of its own.
  options.fallbackStatus = 504
  t.match(classify({ error: 'mystery' }, options), { status: 502 }, 'the table built on the first call')
  t.match(classify({ error: 'mystery' }, { ...options }), { status: 504 }, 'a new options object, a new table')
  t.match(classify({ error: 'model x not found' }, { defaultRules: false }), { status: 500, rule: 'fallback' })
  t.match(classify({ error: { message: 'x'.repeat(50) + ' rate limit' } }, { maxMessageChars: 20 }), { rule: 'fallback' })
})

t.test('classify rejects invalid options the way the plugin does', async (t) => {
  t.throws(() => classify({ error: 'x' }, { rules: [{ status: 404 } as any] }), { code: 'FST_OPENAI_ERRORS_INVALID_OPTION', message: /rules\[0\]" needs at least one matcher/ })
})
