import type { Rule } from '../types'
import anthropic from './anthropic'
import aws from './aws'
import azure from './azure'
import generic from './generic'
import { apisix, cloudflare, githubModels, kong, tensorzero } from './gateways'
import google from './google'
import groq from './groq'
import huggingface from './huggingface'
import litellm from './litellm'
import llamacpp from './llamacpp'
import mistral from './mistral'
import ollama from './ollama'
import openai from './openai'
import openrouter from './openrouter'
import type { Pack } from './pack'
import { gigachat, minimax, moonshot, oneApi, siliconflow, zhipu } from './regional'
import { fastchat, koboldcpp, lmstudio, localai } from './servers'
import vllm from './vllm'

// The default table: one pack per provider family, the generic pack last. Weights decide between rules, not this
// order; it only breaks exact ties, where a provider's own rule comes before the generic one.
export const packs: readonly Pack[] = Object.freeze([
  litellm, openai, azure, anthropic, google, mistral, groq, huggingface, llamacpp, vllm, ollama, openrouter, aws,
  zhipu, moonshot, siliconflow, gigachat, oneApi, minimax, fastchat, koboldcpp, localai, lmstudio,
  githubModels, cloudflare, kong, apisix, tensorzero,
  generic
])

/** Every default rule, each naming its provider and its source. */
export const defaultRules: readonly Rule[] = Object.freeze(packs.flatMap((pack) => pack.rules))

/** The providers the `provider` option can name. */
export const providers: readonly string[] = Object.freeze(packs.map((pack) => pack.provider).filter((name) => name !== 'generic'))
