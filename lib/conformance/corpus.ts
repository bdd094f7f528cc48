import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

// From lib/conformance/ (the tests) and dist/conformance/ (the installed package) alike, two levels up is the
// package root, and the corpus ships in it (package.json "files").
export const CORPUS_DIR = join(__dirname, '..', '..', 'test', 'corpus')

export type CorpusKind = 'errors' | 'successes'

/** One real payload of test/corpus/<kind>/<file>.json, where it came from and where it sits. */
export interface CorpusEntry {
  provider: string
  source: string
  /** The status the provider sent (errors only). */
  status?: number
  body?: unknown
  /** The exact text, where the JSON body alone would not give the bytes. */
  body_text?: string
  sse?: string
  ndjson?: string
  note: string
  /** `errors/clouds.json`: the file the entry came from. */
  file: string
  index: number
}

/** Every entry of every file under the corpus's <kind>/ folder, files in name order. */
export function loadCorpus (kind: CorpusKind, dir: string = CORPUS_DIR): CorpusEntry[] {
  const folder = join(dir, kind)
  return readdirSync(folder).filter((file) => file.endsWith('.json')).sort().flatMap((file) =>
    (JSON.parse(readFileSync(join(folder, file), 'utf8')) as Array<Omit<CorpusEntry, 'file' | 'index'>>)
      .map((entry, index) => ({ ...entry, file: `${kind}/${file}`, index })))
}
