import t from 'tap'
import { closest, didYouMean } from '../lib/settings/suggest'

t.test('the closest known name within a few edits is suggested', async (t) => {
  t.equal(closest('rewriteBodies', ['rules', 'rewriteBody', 'reportOnly']), 'rewriteBody')
  t.equal(closest('STATUS', ['status', 'type']), 'status', 'case does not count as an edit')
  t.equal(closest('peekByte', ['peekBytes', 'peekTimeoutMs']), 'peekBytes')
  t.equal(closest('jsn', ['json', 'all']), 'json')
})

t.test('nothing is suggested when no name is close, or the input is huge', async (t) => {
  t.equal(closest('colour', ['rules', 'status']), undefined)
  t.equal(closest('x'.repeat(101), ['x'.repeat(101)]), undefined)
  t.equal(didYouMean('colour', ['rules']), '')
  t.equal(didYouMean('staus', ['status']), ' (did you mean "status"?)')
})

t.test('of two close names the nearer wins', async (t) => {
  t.equal(closest('reportOnlx', ['reportOxxx', 'reportOnly']), 'reportOnly')
})
