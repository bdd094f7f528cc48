import t from 'tap'
import fc from 'fast-check'
import * as zlib from 'node:zlib'
import { hasZlibHeader, inflateHead } from '../lib/stream/inflate-head'

// The head inflater against zlib, the reference: on everything zlib writes (every level and strategy, gzip, zlib and
// raw deflate) it gives zlib's bytes, cut at the bound; on every cut of those streams a prefix of them; on bytes zlib
// rejects early, null; on anything at all, no throw. Then one crafted stream per fault a deflate stream can have
// (RFC 1951), written bit by bit, each checked against what zlib says of the same bytes.

const RUNS = Number(process.env.FC_RUNS ?? 200)
const SEED = 20261204 // fixed: every run covers the same branches
const { Z_SYNC_FLUSH } = zlib.constants
const STRATEGIES = [zlib.constants.Z_DEFAULT_STRATEGY, zlib.constants.Z_FILTERED, zlib.constants.Z_HUFFMAN_ONLY, zlib.constants.Z_RLE, zlib.constants.Z_FIXED]

/** What zlib makes of raw deflate bytes, as far as they go: the bytes, or null when it calls them bad. */
function zlibRaw (bytes: Buffer): Buffer | null {
  try {
    return zlib.inflateRawSync(bytes, { finishFlush: Z_SYNC_FLUSH })
  } catch {
    return null
  }
}

// Bodies like the ones looked at (JSON, text with repeats) and bytes with no pattern (long Huffman codes).
const bodies = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 3000 }).map((bytes) => Buffer.from(bytes)),
  fc.array(fc.constantFrom('{"id":"chatcmpl-', 'abc', '","object":"chat.completion",', ' ', '\n', 'é', '0123456789', '{"error":{"message":"'), { maxLength: 200 })
    .map((parts) => Buffer.from(parts.join(''))),
  fc.string({ maxLength: 2000 }).map((text) => Buffer.from(text))
)
const settings = fc.record({ level: fc.integer({ min: 0, max: 9 }), strategy: fc.constantFrom(...STRATEGIES), memLevel: fc.integer({ min: 1, max: 9 }) })
const bound = fc.constantFrom(1, 2, 96, 192, 1024, 8192)

t.test('on what zlib writes, the first bytes zlib reads back, cut at the bound', async (t) => {
  fc.assert(fc.property(bodies, settings, bound, (body, options, maxBytes) => {
    const want = body.subarray(0, maxBytes)
    const gzip = inflateHead(zlib.gzipSync(body, options), 'gzip', maxBytes)
    const deflate = inflateHead(zlib.deflateSync(body, options), 'deflate', maxBytes)
    const raw = inflateHead(zlib.deflateRawSync(body, options), 'deflate', maxBytes)
    return gzip !== null && gzip.equals(want) && deflate !== null && deflate.equals(want) && raw !== null && raw.equals(want)
  }), { numRuns: RUNS, seed: SEED })
  t.pass(`held for ${RUNS} bodies`)
})

t.test('on every cut of such a stream, a prefix of the body: never null, never more', async (t) => {
  fc.assert(fc.property(bodies, settings, fc.double({ min: 0, max: 1, noNaN: true }), bound, (body, options, at, maxBytes) => {
    const streams: Array<['gzip' | 'deflate', Buffer]> = [['gzip', zlib.gzipSync(body, options)], ['deflate', zlib.deflateRawSync(body, options)]]
    return streams.every(([encoding, compressed]) => {
      const head = inflateHead(compressed.subarray(0, Math.floor(compressed.length * at)), encoding, maxBytes)
      return head !== null && head.length <= maxBytes && head.equals(body.subarray(0, head.length))
    })
  }), { numRuns: RUNS, seed: SEED })
  t.pass(`held for ${RUNS} cuts`)
})

t.test('on damaged streams and on bytes with no meaning: no throw; zlib\'s bytes where zlib reads them; null only where zlib fails too', async (t) => {
  const damaged = fc.tuple(bodies, settings, fc.array(fc.nat(), { minLength: 1, maxLength: 4 })).map(([body, options, flips]) => {
    const bytes = Buffer.from(zlib.deflateRawSync(body, options))
    for (const flip of flips) if (bytes.length > 0) bytes[flip % bytes.length] ^= 1 << (flip % 8)
    return bytes
  })
  const anything = fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes))
  fc.assert(fc.property(fc.oneof(damaged, anything), bound, (bytes, maxBytes) => {
    const head = inflateHead(bytes, 'deflate', maxBytes)
    const reference = hasZlibHeader(bytes) ? null : zlibRaw(bytes)
    if (head !== null && head.length > maxBytes) return false
    if (hasZlibHeader(bytes)) return true // read as zlib-wrapped: compared in the test above
    if (reference !== null) return head !== null && head.equals(reference.subarray(0, maxBytes))
    return true // zlib failed, maybe after the bound: anything but a throw
  }), { numRuns: RUNS * 3, seed: SEED })
  t.pass(`held for ${RUNS * 3} inputs`)
})

// ---- crafted streams ----

/** Writes a deflate stream: `bits` least significant bit first, `code` (a Huffman code) most significant first. */
class Bits {
  private readonly bytes: number[] = []
  private current = 0
  private used = 0
  bits (value: number, count: number): this {
    for (let i = 0; i < count; i++) {
      this.current |= ((value >> i) & 1) << this.used
      if (++this.used === 8) this.flush()
    }
    return this
  }

  code (value: number, length: number): this {
    for (let i = length - 1; i >= 0; i--) this.bits((value >> i) & 1, 1)
    return this
  }

  bytesAligned (...values: number[]): this {
    if (this.used > 0) this.flush()
    this.bytes.push(...values)
    return this
  }

  done (): Buffer {
    if (this.used > 0) this.flush()
    return Buffer.from(this.bytes)
  }

  private flush (): void {
    this.bytes.push(this.current)
    this.current = 0
    this.used = 0
  }
}

/** The canonical codes of a list of code lengths (RFC 1951, 3.2.2); -1 for a length of 0. */
function canonical (lengths: number[]): number[] {
  const count = new Array(16).fill(0)
  for (const length of lengths) if (length > 0) count[length]++
  const next = new Array(16).fill(0)
  let code = 0
  for (let bits = 1; bits < 16; bits++) {
    code = (code + count[bits - 1]) << 1
    next[bits] = code
  }
  return lengths.map((length) => length > 0 ? next[length]++ : -1)
}

/** A fixed-code symbol (RFC 1951, 3.2.6). */
function fixedSymbol (w: Bits, symbol: number): Bits {
  if (symbol < 144) return w.code(0x30 + symbol, 8)
  if (symbol < 256) return w.code(0x190 + symbol - 144, 9)
  if (symbol < 280) return w.code(symbol - 256, 7)
  return w.code(0xc0 + symbol - 280, 8)
}

const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
// A code length code in which 0..15 each take 4 bits (complete), 16..18 none.
const PLAIN_LENGTHS = [...new Array(16).fill(4), 0, 0, 0]

/**
 * A dynamic block's header: `lengthCount` and `distanceCount` codes, the code length code `codeLengths` (per
 * symbol 0..18, all 19 sent), then `sequence`: code length symbols, each with its extra bits.
 */
function dynamicHeader (w: Bits, last: boolean, lengthCount: number, distanceCount: number, codeLengths: number[], sequence: Array<[number, number?]>): Bits {
  w.bits(last ? 1 : 0, 1).bits(2, 2).bits(lengthCount - 257, 5).bits(distanceCount - 1, 5).bits(19 - 4, 4)
  for (const symbol of ORDER) w.bits(codeLengths[symbol], 3)
  const codes = canonical(codeLengths)
  for (const [symbol, extra = 0] of sequence) {
    w.code(codes[symbol], codeLengths[symbol])
    if (symbol === 16) w.bits(extra, 2)
    if (symbol === 17) w.bits(extra, 3)
    if (symbol === 18) w.bits(extra, 7)
  }
  return w
}

/** The code lengths of a dynamic block sent plainly (each length its own symbol) with PLAIN_LENGTHS. */
const plainly = (lengths: number[]): Array<[number]> => lengths.map((length) => [length])

/** A fixed block's header, then these symbols. */
function fixedBlock (last: boolean, ...symbols: number[]): Bits {
  const w = new Bits().bits(last ? 1 : 0, 1).bits(1, 2)
  for (const symbol of symbols) fixedSymbol(w, symbol)
  return w
}

/** A stored block, aligned. */
const storedBlock = (w: Bits, last: boolean, length: number, complement: number, ...bytes: number[]): Bits =>
  w.bits(last ? 1 : 0, 1).bits(0, 2).bytesAligned(length & 0xff, length >> 8, complement & 0xff, complement >> 8, ...bytes)

interface Case { name: string, bytes: Buffer, want: string | null, maxBytes?: number }

const E9 = 0xe9 // a literal with a 9-bit fixed code, to move what follows within its byte
const cases: Case[] = [
  { name: 'no bytes at all', bytes: Buffer.alloc(0), want: '' },
  { name: 'a stored block', bytes: storedBlock(new Bits(), true, 3, 0xfffc, 0x61, 0x62, 0x63).done(), want: 'abc' },
  { name: 'a stored block, then a fixed one', bytes: fixedSymbol(fixedSymbol(storedBlock(new Bits(), false, 1, 0xfffe, 0x61).bits(1, 1).bits(1, 2), 0x62), 256).done(), want: 'ab' },
  { name: 'a stored block cut in its length', bytes: new Bits().bits(1, 1).bits(0, 2).bytesAligned(3, 0).done(), want: '' },
  { name: 'a stored block cut in its bytes', bytes: storedBlock(new Bits(), true, 3, 0xfffc, 0x61).done(), want: 'a' },
  { name: 'a stored block longer than the bound', bytes: storedBlock(new Bits(), true, 3, 0xfffc, 0x61, 0x62, 0x63).done(), want: 'ab', maxBytes: 2 },
  { name: 'a stored length that is not its complement', bytes: storedBlock(new Bits(), true, 3, 0xfefc, 0x61, 0x62, 0x63).done(), want: null },
  { name: 'block type 3', bytes: new Bits().bits(1, 1).bits(3, 2).done(), want: null },
  { name: 'a fixed block, then nothing', bytes: fixedBlock(false, 0x61, 256).done(), want: 'a' },
  { name: 'fixed literal/length symbol 286', bytes: fixedBlock(true, 286).done(), want: null },
  { name: 'fixed distance code 30', bytes: fixedBlock(true, 0x61, 257).code(30, 5).bits(0, 16).done(), want: null },
  { name: 'a distance too far back', bytes: fixedBlock(true, 0x61, 257).code(1, 5).done(), want: null },
  { name: 'a match', bytes: fixedSymbol(fixedBlock(true, 0x61, 257).code(0, 5), 256).done(), want: 'aaaa' },
  { name: 'a match past the bound', bytes: fixedSymbol(fixedBlock(true, 0x61, 257).code(0, 5), 256).done(), want: 'aa', maxBytes: 2 },
  { name: 'a literal at the bound', bytes: fixedBlock(true, 0x61, 0x62, 256).done(), want: 'a', maxBytes: 1 },
  // 3 + 9 + 8 bits: 4 bits of padding for the 5 extra bits of length code 284.
  { name: 'a length cut in its extra bits', bytes: fixedBlock(true, E9, 284).done(), want: '\xe9' },
  // 3 + 8 + 8 + 7 + 5 bits: 1 bit of padding for the 13 extra bits of distance code 29.
  { name: 'a distance cut in its extra bits', bytes: fixedBlock(true, 0x61, 0x61, 257).code(29, 5).done(), want: 'aa' },
  { name: 'a fixed literal cut in its code', bytes: fixedBlock(true, 0x61).done().subarray(0, 1), want: '' }
]

// Dynamic blocks. A code length code in which 0..15 take 5 bits and the repeats 16, 17, 18 take 2, 3, 3 (complete).
const REPEATS = [...new Array(16).fill(5), 2, 3, 3]
{
  // Literals 'a' and 'b', the end and length 3 in 2 bits each; two 1-bit distance codes.
  const literals = new Array(258).fill(0)
  literals[97] = literals[98] = literals[256] = literals[257] = 2
  const distances = [1, 1]
  const codes = canonical(literals)
  const header = (): Bits => dynamicHeader(new Bits(), true, 258, 2, PLAIN_LENGTHS, plainly([...literals, ...distances]))
  // 'a' 'b', then 3 bytes from 2 back: ababa.
  const ab = header().code(codes[97], 2).code(codes[98], 2).code(codes[257], 2).code(1, 1).code(codes[256], 2).done()
  const withLiterals = (change: (length: number, symbol: number) => number, distanceLengths = distances): Array<[number]> =>
    plainly([...literals.map(change), ...distanceLengths])
  cases.push(
    { name: 'a dynamic block', bytes: ab, want: 'ababa' },
    { name: 'a dynamic block cut in its header', bytes: ab.subarray(0, 1), want: '' },
    { name: 'a dynamic block cut in its code length code', bytes: ab.subarray(0, 4), want: '' },
    { name: 'a dynamic block cut in its code lengths', bytes: ab.subarray(0, 40), want: '' },
    { name: 'a dynamic block cut in a distance code', bytes: ab.subarray(0, -1), want: 'ab' },
    { name: 'more than 286 literal/length codes', bytes: dynamicHeader(new Bits(), true, 287, 2, PLAIN_LENGTHS, []).done(), want: null },
    { name: 'more than 30 distance codes', bytes: dynamicHeader(new Bits(), true, 258, 31, PLAIN_LENGTHS, []).done(), want: null },
    { name: 'an incomplete code length code', bytes: dynamicHeader(new Bits(), true, 258, 2, [...new Array(15).fill(4), 0, 0, 0, 0], []).done(), want: null },
    // zlib reads each bit as a length of 0 from such a code, and fails at the missing end code: 320 bits give it that.
    { name: 'a code length code with no codes, and bits after', bytes: dynamicHeader(new Bits(), true, 258, 2, new Array(19).fill(0), []).bits(0, 16).bytesAligned(...new Array(40).fill(0)).done(), want: null },
    { name: 'a code length code with no codes, cut', bytes: dynamicHeader(new Bits(), true, 258, 2, new Array(19).fill(0), []).done(), want: '' },
    { name: 'a repeat with nothing before it', bytes: dynamicHeader(new Bits(), true, 258, 2, REPEATS, [[16, 0]]).done(), want: null },
    { name: 'a repeat past the last length', bytes: dynamicHeader(new Bits(), true, 258, 2, REPEATS, [[18, 127], [18, 127]]).done(), want: null },
    {
      name: 'repeats of every kind',
      // 97 zeros (18), 97..100 three bits each (a 3 and 16 three times), 155 zeros (18, 17, 17), then 256 and 257
      // two bits each, and two 1-bit distance codes: 260 lengths.
      bytes: (() => {
        const repeated = new Array(258).fill(0)
        repeated[97] = repeated[98] = repeated[99] = repeated[100] = 3
        repeated[256] = repeated[257] = 2
        const sequence: Array<[number, number?]> = [[18, 86], [3], [16, 0], [18, 127], [17, 7], [17, 4], [2], [2], [1], [1]]
        const repeatedCodes = canonical(repeated)
        return dynamicHeader(new Bits(), true, 258, 2, REPEATS, sequence).code(repeatedCodes[100], 3).code(repeatedCodes[256], 2).done()
      })(),
      want: 'd'
    },
    // 3 + 14 + 57 bits of header and 3 of the code for 18: 3 bits of padding for its 7 extra bits.
    { name: 'a repeat cut in its extra bits', bytes: dynamicHeader(new Bits(), true, 258, 2, REPEATS, []).code(canonical(REPEATS)[18], 3).done(), want: '' },
    { name: 'no end-of-block code', bytes: dynamicHeader(new Bits(), true, 258, 2, PLAIN_LENGTHS, withLiterals((length, symbol) => symbol === 256 ? 0 : length)).done(), want: null },
    { name: 'an over-subscribed literal/length code', bytes: dynamicHeader(new Bits(), true, 258, 2, PLAIN_LENGTHS, withLiterals((length, symbol) => symbol === 100 ? 1 : length)).done(), want: null },
    { name: 'an incomplete literal/length code', bytes: dynamicHeader(new Bits(), true, 258, 2, PLAIN_LENGTHS, withLiterals((length, symbol) => symbol === 98 ? 3 : length)).done(), want: null },
    { name: 'an over-subscribed distance code', bytes: dynamicHeader(new Bits(), true, 258, 3, PLAIN_LENGTHS, withLiterals((length) => length, [1, 1, 1])).done(), want: null },
    { name: 'an incomplete distance code', bytes: dynamicHeader(new Bits(), true, 258, 2, PLAIN_LENGTHS, withLiterals((length) => length, [2, 0])).done(), want: null },
    {
      name: 'a distance code of one 1-bit code (allowed)',
      bytes: dynamicHeader(new Bits(), true, 258, 2, PLAIN_LENGTHS, withLiterals((length) => length, [1, 0])).code(codes[97], 2).code(codes[257], 2).code(0, 1).code(codes[256], 2).done(),
      want: 'aaaa'
    },
    {
      name: 'the missing half of a one-code distance code',
      bytes: dynamicHeader(new Bits(), true, 258, 2, PLAIN_LENGTHS, withLiterals((length) => length, [1, 0])).code(codes[97], 2).code(codes[257], 2).code(1, 1).bits(0, 16).done(),
      want: null
    },
    { name: 'no distance codes, and a match', bytes: dynamicHeader(new Bits(), true, 258, 1, PLAIN_LENGTHS, withLiterals((length) => length, [0])).code(codes[97], 2).code(codes[257], 2).bits(0, 16).done(), want: null },
    { name: 'no distance codes, and a match cut short', bytes: dynamicHeader(new Bits(), true, 258, 1, PLAIN_LENGTHS, withLiterals((length) => length, [0])).code(codes[97], 2).code(codes[257], 2).done(), want: 'a' }
  )
  // A literal/length code of one 1-bit code (the end), allowed, and the other half of it, which is no code.
  const onlyEnd = plainly([...new Array(256).fill(0), 1, 0])
  cases.push(
    { name: 'a literal/length code of one 1-bit code (allowed)', bytes: dynamicHeader(new Bits(), true, 257, 1, PLAIN_LENGTHS, onlyEnd).code(0, 1).done(), want: '' },
    { name: 'the missing half of a one-code literal/length code', bytes: dynamicHeader(new Bits(), true, 257, 1, PLAIN_LENGTHS, onlyEnd).code(1, 1).bits(0, 16).done(), want: null }
  )
  // Codes longer than the lookup table: symbols 0..13 in 1..14 bits, 14 and the end in 15 (complete).
  const long = new Array(258).fill(0)
  for (let symbol = 0; symbol < 14; symbol++) long[symbol] = symbol + 1
  long[14] = long[256] = 15
  const longCodes = canonical(long)
  const longHeader = (): Bits => dynamicHeader(new Bits(), true, 258, 2, PLAIN_LENGTHS, plainly([...long, 1, 1]))
  cases.push(
    { name: 'literals with 15-bit codes', bytes: longHeader().code(longCodes[13], 14).code(longCodes[14], 15).code(longCodes[256], 15).done(), want: '\x0d\x0e' },
    { name: 'a 15-bit literal cut', bytes: longHeader().code(longCodes[14], 15).done().subarray(0, -1), want: '' }
  )
}

t.test('crafted streams: each fault of RFC 1951 is null, each cut a prefix, as zlib says of the same bytes', async (t) => {
  for (const { name, bytes, want, maxBytes = 64 } of cases) {
    const head = inflateHead(bytes, 'deflate', maxBytes)
    t.same(head === null ? null : head.toString('latin1'), want, name)
    const reference = zlibRaw(bytes)
    // zlib reads on past the bound, so only its verdict on the bad ones and its first bytes are compared.
    if (want === null) t.equal(reference, null, `${name}: zlib rejects it too`)
    else if (reference !== null) t.equal(reference.subarray(0, maxBytes).toString('latin1').startsWith(want), true, `${name}: zlib's bytes begin so`)
  }
})

t.test('gzip headers: every optional field skipped, a cut header an empty head, a wrong one null', async (t) => {
  const body = Buffer.from('{"id":"chatcmpl-1","object":"chat.completion"}')
  const deflated = zlib.deflateRawSync(body)
  const member = (flags: number, ...fields: number[]): Buffer => Buffer.concat([Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3, ...fields]), deflated])
  const all = member(0x1e, 2, 0, 0xaa, 0xbb, ...Buffer.from('name.json'), 0, ...Buffer.from('a comment'), 0, 0x12, 0x34)
  t.equal(inflateHead(all, 'gzip', 192)?.toString(), body.toString(), 'FEXTRA, FNAME, FCOMMENT and FHCRC')
  t.equal(inflateHead(member(0x08, ...Buffer.from('unterminated')).subarray(0, 16), 'gzip', 192)?.length, 0, 'a name cut before its zero')
  t.equal(inflateHead(zlib.gzipSync(body).subarray(0, 6), 'gzip', 192)?.length, 0, 'a header cut before its tenth byte')
  t.equal(inflateHead(Buffer.from('{"id":"x","object":"y"}'), 'gzip', 192), null, 'not gzip')
  t.equal(inflateHead(member(0x20), 'gzip', 192), null, 'a reserved flag')
  t.equal(inflateHead(zlib.gzipSync(body, { level: 9 }), 'gzip', 10)?.toString(), body.subarray(0, 10).toString(), 'bounded')
})

t.test('zlib-wrapped deflate: read past its header; a preset dictionary is null; raw deflate read as it is', async (t) => {
  const body = Buffer.from('{"object":"list","data":[]}')
  t.equal(inflateHead(zlib.deflateSync(body), 'deflate', 192)?.toString(), body.toString())
  t.equal(inflateHead(zlib.deflateSync(body, { dictionary: Buffer.from('{"object":') }), 'deflate', 192), null)
  t.equal(inflateHead(zlib.deflateRawSync(body), 'deflate', 192)?.toString(), body.toString())
  t.equal(hasZlibHeader(Buffer.from([0x78])), false, 'one byte is no header')
  t.equal(hasZlibHeader(Buffer.from([0x78, 0x9c])), true)
})
