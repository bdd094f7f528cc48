import type { Extractor } from '../types'

// Cheap byte-level gates that run before any JSON.parse: most success bodies never get past them. What they look
// for is derived from the extractors' marks, so a new body shape is one extractor and the gate follows.

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const COLON = 0x3a
const QUOTE = 0x22
const ERROR_VALUE = '"error"'
const HEAD_BYTES = 160
// Sticky (y): tested at the body's first non-space character, they read the head and never scan. A body whose
// first key holds output (a completion, a list) or whose `id` is followed by a kind (`"object":"chat.completion"`,
// `"type":"message"`) is a resource, never an envelope (extract.ts says the same of the parsed body).
const RESOURCE_HEAD = new RegExp(
  '\\{\\s*(?:"(?:choices|output|results|candidates|usage|embedding|embeddings|content)"\\s*:|' +
  '"data"\\s*:\\s*[\\[{]|' +
  '"(?:object|type)"\\s*:\\s*"(?!error")[^"]*"|' +
  '"id"\\s*:\\s*"[^"]{0,100}"\\s*,\\s*"(?:object|type)"\\s*:\\s*"(?!error")[^"]*")', 'y')

function matchesAt (pattern: RegExp, text: string, index: number): boolean {
  pattern.lastIndex = index
  return pattern.test(text)
}

/** Text or bytes, read the same way: a char code at an index, and a search. */
interface Source {
  length: number
  at: (index: number) => number
  find: (needle: string, from: number) => number
}

function isSpace (code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09
}

function skipSpace (source: Source, index: number, step: 1 | -1): number {
  while (index >= 0 && index < source.length && isSpace(source.at(index))) index += step
  return index
}

function endsWithAt (source: Source, word: string, end: number): boolean {
  const start = end - word.length + 1
  if (start < 0) return false
  for (let i = 0; i < word.length; i++) {
    if (source.at(start + i) !== word.charCodeAt(i)) return false
  }
  return true
}

/** A key the gate looks for: `"message"`, and whether its value must be a string (a mark written `message:"`). */
interface Key {
  quoted: string
  string: boolean
}

/** `"mark":` as a key somewhere in the body (followed by a string when the mark asks for one). */
function hasKey (source: Source, key: Key): boolean {
  const { quoted } = key
  for (let index = source.find(quoted, 0); index !== -1; index = source.find(quoted, index + quoted.length)) {
    const colon = skipSpace(source, index + quoted.length, 1)
    if (source.at(colon) !== COLON) continue
    if (!key.string || source.at(skipSpace(source, colon + 1, 1)) === QUOTE) return true
  }
  return false
}

/** `"object": "error"` or `"type": "error"`: the flat and Anthropic shapes name themselves in a value. */
function namesErrorValue (source: Source): boolean {
  for (let index = source.find(ERROR_VALUE, 0); index !== -1; index = source.find(ERROR_VALUE, index + ERROR_VALUE.length)) {
    const before = skipSpace(source, index - 1, -1)
    if (before >= 0 && source.at(before) === COLON) {
      const end = skipSpace(source, before - 1, -1)
      if (source.at(end) === QUOTE && (endsWithAt(source, '"object"', end) || endsWithAt(source, '"type"', end))) return true
    }
  }
  return false
}

/** The byte gate for a set of extractors: whether a JSON text or its bytes may hold an envelope any of them reads. */
export interface Gate {
  text: (text: string) => boolean
  bytes: (bytes: Buffer) => boolean
  /** The first bytes alone rule the body out: not an object or array, or an object that is a resource. */
  headRulesOut: (bytes: Buffer) => boolean
}

/** The first bytes of a body after its leading white space, as latin1 text: what the sticky patterns read. */
function headOf (bytes: Buffer): string {
  let start = 0
  while (start < bytes.length && isSpace(bytes[start])) start++
  return bytes.toString('latin1', start, start + HEAD_BYTES)
}

const ERROR_KEY: Key = { quoted: '"error"', string: false }

// The commonest envelope opens the body: a head that starts `{"error":` is admitted with no pattern tried and no
// search (every table has the built-in extractors, which read `error`; the gate only spares parses, so admitting is
// safe).
const ERROR_OPENING = '{"error":'

export function buildGate (extractors: readonly Extractor[]): Gate {
  const keys: Key[] = [...new Set(extractors.flatMap((extractor) => extractor.marks))].map((mark) =>
    mark.endsWith(':"') ? { quoted: `"${mark.slice(0, -2)}"`, string: true } : { quoted: `"${mark}"`, string: false })
  const admits = (source: Source): boolean => keys.some((key) => hasKey(source, key)) || namesErrorValue(source)
  const mayBeError = (head: string, at: number, source: () => Source): boolean => {
    if (head.startsWith(ERROR_OPENING, at)) return true
    const first = head.charCodeAt(at)
    if (first === OPEN_BRACE) return !matchesAt(RESOURCE_HEAD, head, at) && admits(source())
    // An array is an envelope only as Vertex sends one: a list of `{"error": ...}`.
    return first === OPEN_BRACKET && hasKey(source(), ERROR_KEY)
  }
  return Object.freeze({
    text (text: string): boolean {
      let start = 0
      while (start < text.length && isSpace(text.charCodeAt(start))) start++
      return mayBeError(text.slice(start, start + HEAD_BYTES), 0, () => ({
        length: text.length,
        at: (index) => text.charCodeAt(index),
        find: (needle, from) => text.indexOf(needle, from)
      }))
    },
    bytes (bytes: Buffer): boolean {
      return mayBeError(headOf(bytes), 0, () => ({
        length: bytes.length,
        at: (index) => bytes[index],
        find: (needle, from) => bytes.indexOf(needle, from)
      }))
    },
    headRulesOut (bytes: Buffer): boolean {
      const head = headOf(bytes)
      if (head === '') return false
      const first = head.charCodeAt(0)
      return first === OPEN_BRACE ? matchesAt(RESOURCE_HEAD, head, 0) : first !== OPEN_BRACKET
    }
  })
}

/** Content types we parse: JSON and its relatives (`+json`, `x-ndjson`), or none at all. */
export function isJsonContentType (contentType: unknown): boolean {
  if (contentType === undefined) return true
  if (typeof contentType !== 'string') return false
  // A server sends one or two content types over and over: the last answer is kept (no lower-casing per response).
  if (contentType !== lastContentType) {
    lastContentType = contentType
    lastIsJson = contentType.toLowerCase().includes('json')
  }
  return lastIsJson
}

let lastContentType = ''
let lastIsJson = false
