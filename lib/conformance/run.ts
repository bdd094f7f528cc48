import { selectCases, type ConformanceCase } from './cases'
import { loadSdk, outcomeOf, sdkOutcome, sendCase, type GatewayAnswer, type SdkConstructor } from './client'
import { InvalidConformanceOptionError } from './errors'
import { startFakeUpstream } from './upstream'
import type { CaseResult, ConformanceOptions, ConformanceResult } from '../../types/conformance'

// The public types live in types/conformance.d.ts; the code uses them from there.
export type { CaseResult, ConformanceOptions, ConformanceResult }

interface Run {
  gateway: string
  path: string
  timeoutMs: number
  Sdk: SdkConstructor | null
}

function problemOf (item: ConformanceCase, answer: GatewayAnswer): string | null {
  if (answer.status !== item.expectedStatus) return `status ${answer.status}, expected ${item.expectedStatus}`
  if (item.expectedText !== null && answer.text !== item.expectedText) return 'the body changed'
  return null
}

async function runCase (run: Run, item: ConformanceCase): Promise<CaseResult> {
  const row = {
    id: item.id,
    kind: item.kind,
    provider: item.provider,
    source: item.source,
    upstreamStatus: item.upstream.status,
    expected: item.expectedText === null ? String(item.expectedStatus) : `${item.expectedStatus}, same bytes`,
    expectedStatus: item.expectedStatus
  }
  let answer: GatewayAnswer
  try {
    answer = await sendCase(run.gateway, run.path, item, run.timeoutMs)
  } catch (error) {
    const reason = `no answer: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`
    return { ...row, gatewayStatus: null, outcome: '-', pass: false, problem: reason }
  }
  const problem = problemOf(item, answer)
  const outcome = run.Sdk === null ? outcomeOf(answer) : await sdkOutcome(run.Sdk, run.gateway, run.path, item, run.timeoutMs)
  return { ...row, gatewayStatus: answer.status, outcome, pass: problem === null, problem }
}

function checkOptions (options: ConformanceOptions): void {
  const port = options.upstreamPort
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidConformanceOptionError('upstreamPort', `must be a port number (0-65535), got ${JSON.stringify(port)}`)
  }
  if (typeof options.gateway !== 'string' || !URL.canParse(options.gateway) || !/^https?:$/.test(new URL(options.gateway).protocol)) {
    throw new InvalidConformanceOptionError('gateway', `must be an http(s) URL such as http://127.0.0.1:3000, got ${JSON.stringify(options.gateway)}`)
  }
  if (options.path !== undefined && (typeof options.path !== 'string' || !options.path.startsWith('/'))) {
    throw new InvalidConformanceOptionError('path', `must start with "/", got ${JSON.stringify(options.path)}`)
  }
}

/**
 * Starts the fake upstream on upstreamPort, sends every case through the gateway (whose upstream points there),
 * one after another, and closes the upstream again. Never rejects for a failing case: `pass` and `failed` say.
 */
export async function runConformance (options: ConformanceOptions): Promise<ConformanceResult> {
  checkOptions(options)
  const cases = selectCases({ all: options.all, only: options.only })
  const upstream = await startFakeUpstream(cases, options.upstreamPort, options.upstreamHost ?? '127.0.0.1')
  const run: Run = {
    gateway: options.gateway,
    path: options.path ?? '/v1/chat/completions',
    timeoutMs: options.timeoutMs ?? 10_000,
    Sdk: options.sdk === false ? null : loadSdk()
  }
  const results: CaseResult[] = []
  try {
    for (const item of cases) results.push(await runCase(run, item))
  } finally {
    await upstream.close()
  }
  const failed = results.filter((row) => !row.pass).map((row) => row.id)
  return { pass: failed.length === 0, cases: results, failed }
}
