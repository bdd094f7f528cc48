import { readFileSync } from 'node:fs'
import { join } from 'node:path'

// Real provider bodies, copied into the repository so that any clone runs the tests: test/fixtures/.
const fixturesDir = join(__dirname, '..', 'fixtures')

export interface ProviderError {
  provider: string
  source: string
  status: number
  body: unknown
  note: string
  semantic_status?: number
  sse?: string
  sse_http_status?: number
}

export interface SuccessBody {
  provider: string
  endpoint: string
  source: string
  status: number
  body?: unknown
  sse?: string
  why_tricky: string
}

export const providerErrors: ProviderError[] = JSON.parse(readFileSync(join(fixturesDir, 'provider-errors.json'), 'utf8'))
export const successBodies: SuccessBody[] = JSON.parse(readFileSync(join(fixturesDir, 'success-bodies.json'), 'utf8'))

/** The status a fixture's error really means: the provider's status, or the semantic one for in-band errors. */
export const realStatus = (fixture: ProviderError): number => fixture.semantic_status ?? fixture.status
