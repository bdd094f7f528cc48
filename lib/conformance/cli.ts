import { didYouMean } from '../settings/suggest'
import type { ConformanceOptions } from './run'

/** What `fastify-openai-errors conformance ...` asks for, or why it cannot run. */
export type ParsedArgs =
  | { kind: 'help' }
  | { kind: 'misuse', problem: string }
  | { kind: 'run', options: ConformanceOptions, json: boolean }

const VALUE_FLAGS = ['--upstream-port', '--gateway', '--path', '--upstream-host', '--only'] as const
const SWITCHES = ['--json', '--all', '--help'] as const
const FLAGS: readonly string[] = [...VALUE_FLAGS, ...SWITCHES]

type ValueFlag = typeof VALUE_FLAGS[number]

/** `--flag value` and `--flag=value` alike; every problem named, as the CLI's misuse message. */
export function parseConformanceArgs (args: readonly string[]): ParsedArgs {
  const values = new Map<ValueFlag, string>()
  const switches = new Set<string>()
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    const equals = arg.indexOf('=')
    const flag = equals === -1 ? arg : arg.slice(0, equals)
    if (!FLAGS.includes(flag)) {
      return { kind: 'misuse', problem: `${flag.startsWith('-') ? 'unknown option' : 'unexpected argument'} ${JSON.stringify(flag)}${didYouMean(flag, FLAGS)}` }
    }
    if (!(VALUE_FLAGS as readonly string[]).includes(flag)) {
      switches.add(flag)
      continue
    }
    const value = equals === -1 ? args[++i] : arg.slice(equals + 1)
    if (value === undefined || value === '') return { kind: 'misuse', problem: `${flag} needs a value` }
    values.set(flag as ValueFlag, value)
  }
  if (switches.has('--help')) return { kind: 'help' }
  const port = values.get('--upstream-port')
  const gateway = values.get('--gateway')
  if (port === undefined) return { kind: 'misuse', problem: 'conformance needs --upstream-port PORT: the port your gateway\'s upstream URL points at' }
  if (gateway === undefined) return { kind: 'misuse', problem: 'conformance needs --gateway URL: where your gateway listens, e.g. http://127.0.0.1:3000' }
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) return { kind: 'misuse', problem: `--upstream-port must be a port number (1-65535), got ${JSON.stringify(port)}` }
  const options: ConformanceOptions = {
    upstreamPort: Number(port),
    gateway,
    path: values.get('--path'),
    upstreamHost: values.get('--upstream-host'),
    all: switches.has('--all'),
    only: values.get('--only')?.split(',').map((id) => id.trim()).filter((id) => id !== '')
  }
  return { kind: 'run', options, json: switches.has('--json') }
}
