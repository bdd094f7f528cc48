import t from 'tap'
import { providerOf } from '../lib/core/provider'

t.test('the provider is the deciding rule\'s prefix; cross-provider rules and unnamed ones give the body\'s shape', async (t) => {
  t.equal(providerOf('anthropic.overloaded', 'anthropic'), 'anthropic')
  t.equal(providerOf('litellm.no-models-available', 'openai'), 'litellm')
  t.equal(providerOf('any.rate-limit', 'string'), 'string')
  t.equal(providerOf('type.not-found', 'anthropic'), 'anthropic')
  t.equal(providerOf('status-hint', 'google'), 'google')
  t.equal(providerOf('thrown', null), null)
  t.equal(providerOf('.odd', 'flat'), 'flat')
})
