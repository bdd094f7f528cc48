import t from 'tap'
import { retryDelayFromHeaders, retryDelayFromMessage, retryHeaders } from '../lib/core/retry'

t.test('waits stated in upstream messages, in the wordings providers use', async (t) => {
  const cases: Array<[string, number | null]> = [
    ['Rate limit reached for gpt-4o. Please try again in 20s. Visit https://platform.openai.com', 20000],
    ['Rate limit is exceeded. Try again in 2 seconds.', 2000],
    ['Please retry in 6ms', 6],
    ['Limit 5000, Used 5747, Requested ~4251. Please try again in 59.977s. Visit', 59977],
    ['Please try again in 7m12.96s.', 432960],
    ['Please try again in 1m 30s', 90000],
    ['try again in 1h2m3s', 3723000],
    ['Please retry after 1.5 minutes', 90000],
    ['No deployments available for selected model, Try again in 60 seconds. Passed model=gpt-4o', 60000],
    ['Please retry in 39.064548145s.', 39065],
    ['retry after about 3 secs', 3000],
    ['Try again in 2 hours and 5 minutes', 7500000],
    ['Retry after 250 milliseconds', 250],
    ['Please try again later.', null],
    ['try again in a moment', null],
    ['retry in 30', null],
    ['Please try again in 5 sheep', null],
    ['', null]
  ]
  for (const [message, expected] of cases) t.equal(retryDelayFromMessage(message), expected, message)
})

t.test('waits stated in upstream headers: retry-after-ms first, then retry-after in seconds or as a date', async (t) => {
  const from = (headers: Record<string, unknown>) => (name: string) => headers[name]
  t.equal(retryDelayFromHeaders(from({ 'retry-after-ms': '1500', 'retry-after': '9' })), 1500)
  t.equal(retryDelayFromHeaders(from({ 'retry-after': '9' })), 9000)
  t.equal(retryDelayFromHeaders(from({ 'retry-after': '0.5' })), 500)
  t.equal(retryDelayFromHeaders(from({ 'retry-after': 'Wed, 25 Nov 2026 10:00:30 GMT' }), Date.parse('Wed, 25 Nov 2026 10:00:00 GMT')), 30000)
  t.equal(retryDelayFromHeaders(from({ 'retry-after': 'Wed, 25 Nov 2026 09:00:00 GMT' }), Date.parse('Wed, 25 Nov 2026 10:00:00 GMT')), 0, 'a past date is no wait')
  t.equal(retryDelayFromHeaders(from({ 'retry-after': 'soon' })), null)
  t.equal(retryDelayFromHeaders(from({ 'retry-after': '-3' })), null)
  t.equal(retryDelayFromHeaders(from({ 'retry-after-ms': '', 'retry-after': '' })), null)
  t.equal(retryDelayFromHeaders(from({ 'retry-after-ms': 'x', 'retry-after': 4 })), null, 'a number header value that is not a string')
  t.equal(retryDelayFromHeaders(from({})), null)
})

t.test('headers for a wait: whole seconds rounded up, and milliseconds', async (t) => {
  t.same(retryHeaders(1500), { 'retry-after': '2', 'retry-after-ms': '1500' })
  t.same(retryHeaders(20000), { 'retry-after': '20', 'retry-after-ms': '20000' })
})

t.test('only the first anchor and a bounded stretch after it are read', async (t) => {
  t.equal(retryDelayFromMessage('retry in '.repeat(2000) + '5s'), null, 'the wait is looked for right after the first anchor')
  t.equal(retryDelayFromMessage('try again in ' + '9'.repeat(40) + 's'), null, 'absurd numbers are not a wait')
})
