import t from 'tap'
import { classify } from '../lib/core/table'
import { findEnvelope } from '../lib/core/extract'
import { providerErrors, realStatus, successBodies } from './helpers/fixtures'

t.test('every provider error fixture classifies to the status the provider really meant', async (t) => {
  t.ok(providerErrors.length >= 20, 'the fixture file is there and full')
  for (const fixture of providerErrors) {
    const decision = classify(fixture.body)
    t.equal(decision?.status, realStatus(fixture), `${fixture.provider}: ${fixture.source}`)
  }
})

t.test('no success fixture body is taken for an error envelope', async (t) => {
  for (const fixture of successBodies.filter((f) => f.body !== undefined)) {
    t.equal(findEnvelope(fixture.body), null, `${fixture.endpoint}: ${fixture.why_tricky.slice(0, 60)}`)
    t.equal(classify(fixture.body), null)
  }
})
