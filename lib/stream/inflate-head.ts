// The first bytes a gzip or deflate body decodes to, for a look at its head, without a zlib handle.
//
// To see whether a compressed body can be an error, its first hundred-odd decoded bytes are enough. Node's zlib
// builds a stream object, a native handle and a 16 KiB buffer for every call (8.5-11 µs for a 1 KB gzip body, nearly
// all of it set-up) and decodes to the end. This reads only as far as it must: a port of Mark Adler's puff.c (zlib's
// contrib/puff, the reference inflater of RFC 1951) with lookup tables for the short codes, an output bound, and a
// short input read as far as it goes. 4-5 µs for the first 96 bytes of the same body. It keeps no state between calls,
// and its work is linear in the input and bounded by it and by the output wanted.
//
// It is used only for the look at a head, never for bytes that are sent or for a body that is judged (zlib decodes
// those): a bad guess here can only send a body to be read whole.

const MAX_BITS = 15
const MAX_LENGTH_CODES = 286
const MAX_DISTANCE_CODES = 30
const FIXED_LENGTH_CODES = 288
// Codes up to this long are found with one table lookup; longer ones a bit at a time, as puff does.
const FAST_BITS = 9

/**
 * A canonical Huffman code: how many codes of each length and the symbols in code order (for codes longer than
 * FAST_BITS), and a table indexed by the next bits of the input holding `symbol << 4 | length` (0: a longer code, or
 * none) with `mask` the index bits it uses.
 */
interface Code {
  count: Int16Array
  symbol: Int16Array
  fast: Int32Array
  mask: number
}

function newCode (symbols: number): Code {
  return { count: new Int16Array(MAX_BITS + 1), symbol: new Int16Array(symbols), fast: new Int32Array(1 << FAST_BITS), mask: 0 }
}

// Base values and extra bits of the length codes 257..285 and the distance codes 0..29 (RFC 1951, 3.2.5).
const LENGTH_BASE = Int16Array.of(3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258)
const LENGTH_EXTRA = Int8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0)
const DISTANCE_BASE = Int32Array.of(1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577)
const DISTANCE_EXTRA = Int8Array.of(0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13)
// The order in which a dynamic block sends the lengths of its code length code.
const CODE_LENGTH_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)
// Every FAST_BITS-bit number with its bits reversed: Huffman codes come most significant bit first.
const REVERSED = new Int16Array(1 << FAST_BITS)
for (let value = 1; value < REVERSED.length; value++) REVERSED[value] = (REVERSED[value >> 1] >> 1) | ((value & 1) << (FAST_BITS - 1))

// Scratch space every call reuses (the function is synchronous): code lengths, the offsets build() fills, the symbols
// that have a length, and the codes of a block.
const lengths = new Uint8Array(MAX_LENGTH_CODES + MAX_DISTANCE_CODES)
const offsets = new Int16Array(MAX_BITS + 1)
const listed = new Int16Array(FIXED_LENGTH_CODES)
const distancesListed = new Int16Array(MAX_DISTANCE_CODES)
const codeLengthCode = newCode(19)
const lengthCode = newCode(MAX_LENGTH_CODES)
const distanceCode = newCode(MAX_DISTANCE_CODES)
let fixedCodes: { lengths: Code, distances: Code } | null = null

/**
 * Builds `code` from its counts (filled) and the `used` symbols listed ascending in `list`, whose lengths are at
 * `lengths[start + symbol]`. 0 for a complete code, more for an incomplete one, less for an over-subscribed one.
 */
function build (code: Code, start: number, list: Int16Array, used: number): number {
  const { count, symbol: symbols, fast } = code
  if (used === 0) { // no codes (a block of literals only has no distances): complete, and nothing decodes from it
    code.mask = 0
    fast[0] = 0
    return 0
  }
  let left = 1
  let longest = 0
  for (let length = 1; length <= MAX_BITS; length++) {
    left = (left << 1) - count[length]
    if (left < 0) return left
    if (count[length] !== 0) longest = length
  }
  offsets[1] = 0
  for (let length = 1; length < MAX_BITS; length++) offsets[length + 1] = offsets[length] + count[length]
  for (let j = 0; j < used; j++) symbols[offsets[lengths[start + list[j]]]++] = list[j]
  // The short codes into the table, in code order: each fills every entry whose first bits are its code.
  const bits = Math.min(longest, FAST_BITS)
  const size = 1 << bits
  code.mask = size - 1
  fast.fill(0, 0, size)
  let value = 0
  let index = 0
  for (let length = 1; length <= bits; length++) {
    for (let k = count[length]; k > 0; k--) {
      const entry = (symbols[index++] << 4) | length
      for (let at = REVERSED[value << (FAST_BITS - length)]; at < size; at += 1 << length) fast[at] = entry
      value++
    }
    value <<= 1
  }
  return left
}

/** build() for `n` lengths already in place at `lengths[0]`: counted and listed here. */
function buildFrom (code: Code, n: number): number {
  code.count.fill(0)
  let used = 0
  for (let symbol = 0; symbol < n; symbol++) {
    if (lengths[symbol] === 0) continue
    code.count[lengths[symbol]]++
    listed[used++] = symbol
  }
  return build(code, 0, listed, used)
}

/** Whether a code build() left incomplete is one deflate allows: a single code of one bit. */
const allowedIncomplete = (code: Code, used: number): boolean => used === 1 && code.count[1] === 1

// What longCode() and the decoder say besides a symbol: the bits ran out, or the data is bad.
const SHORT = -1
const BAD = -2

/** A code longer than the table's bits, found a bit at a time in `buffer`'s `available` bits: `symbol << 4 | length`. */
function longCode (code: Code, buffer: number, available: number): number {
  const count = code.count
  let value = 0
  let first = 0
  let index = 0
  for (let length = 1; length <= MAX_BITS; length++) {
    if (length > available) return SHORT
    value |= (buffer >>> (length - 1)) & 1
    if (value - count[length] < first) return (code.symbol[index + value - first] << 4) | length
    index += count[length]
    first = (first + count[length]) << 1
    value <<= 1
  }
  return BAD
}

function fixed (): { lengths: Code, distances: Code } {
  if (fixedCodes === null) {
    const codes = { lengths: newCode(FIXED_LENGTH_CODES), distances: newCode(MAX_DISTANCE_CODES) }
    lengths.fill(8, 0, 144)
    lengths.fill(9, 144, 256)
    lengths.fill(7, 256, 280)
    lengths.fill(8, 280, FIXED_LENGTH_CODES)
    buildFrom(codes.lengths, FIXED_LENGTH_CODES)
    lengths.fill(5, 0, MAX_DISTANCE_CODES)
    buildFrom(codes.distances, MAX_DISTANCE_CODES)
    fixedCodes = codes
  }
  return fixedCodes
}

/**
 * Inflates the raw deflate data at `input[start]` into `output` until the output is full, the last block ends or the
 * input does: the number of bytes written, or BAD. The bit buffer holds up to 31 bits, least significant first.
 */
function inflate (input: Uint8Array, start: number, output: Uint8Array): number {
  const end = input.length
  const limit = output.length
  let position = start
  let buffer = 0
  let count = 0
  let written = 0
  for (;;) {
    while (count <= 23 && position < end) { buffer |= input[position++] << count; count += 8 }
    if (count < 3) return written
    const last = buffer & 1
    const type = (buffer >>> 1) & 3
    buffer >>>= 3
    count -= 3
    let literals: Code
    let distances: Code
    if (type === 0) {
      // A stored block starts on a byte: the rest of this one is dropped, the whole bytes read ahead go back.
      position -= count >> 3
      buffer = count = 0
      if (position + 4 > end) return written
      const length = input[position] | (input[position + 1] << 8)
      if (length !== (~(input[position + 2] | (input[position + 3] << 8)) & 0xffff)) return BAD
      position += 4
      const copied = Math.min(length, end - position, limit - written)
      output.set(input.subarray(position, position + copied), written)
      position += copied
      written += copied
      if (written === limit || copied < length || last === 1) return written
      continue
    } else if (type === 1) {
      ({ lengths: literals, distances } = fixed())
    } else if (type === 2) {
      while (count <= 23 && position < end) { buffer |= input[position++] << count; count += 8 }
      if (count < 14) return written
      const lengthCount = (buffer & 31) + 257
      const distanceCount = ((buffer >>> 5) & 31) + 1
      const codeLengthCount = ((buffer >>> 10) & 15) + 4
      buffer >>>= 14
      count -= 14
      if (lengthCount > MAX_LENGTH_CODES || distanceCount > MAX_DISTANCE_CODES) return BAD
      let index = 0
      for (; index < codeLengthCount; index++) {
        if (count < 3) {
          while (count <= 23 && position < end) { buffer |= input[position++] << count; count += 8 }
          if (count < 3) return written
        }
        lengths[CODE_LENGTH_ORDER[index]] = buffer & 7
        buffer >>>= 3
        count -= 3
      }
      for (; index < 19; index++) lengths[CODE_LENGTH_ORDER[index]] = 0
      if (buildFrom(codeLengthCode, 19) !== 0) return BAD // the code length code must be complete
      // The lengths of both codes, counted and listed as they come.
      const total = lengthCount + distanceCount
      const table = codeLengthCode.fast
      const mask = codeLengthCode.mask
      lengthCode.count.fill(0)
      distanceCode.count.fill(0)
      let lengthsUsed = 0
      let distancesUsed = 0
      index = 0
      while (index < total) {
        if (count < MAX_BITS) while (count <= 23 && position < end) { buffer |= input[position++] << count; count += 8 }
        let entry = table[buffer & mask]
        if (entry === 0) entry = longCode(codeLengthCode, buffer, count)
        if (entry < 0) return entry === SHORT ? written : BAD
        const bits = entry & 15
        if (bits > count) return written
        buffer >>>= bits
        count -= bits
        const symbol = entry >> 4
        let value = symbol
        let repeat = 1
        if (symbol >= 16) {
          const extra = symbol === 16 ? 2 : symbol === 17 ? 3 : 7
          if (count < extra) return written
          repeat = (symbol === 18 ? 11 : 3) + (buffer & ((1 << extra) - 1))
          buffer >>>= extra
          count -= extra
          if (symbol !== 16) value = 0
          else if (index === 0) return BAD // a repeat with nothing before it
          else value = lengths[index - 1]
          if (index + repeat > total) return BAD
        }
        for (; repeat > 0; repeat--, index++) {
          lengths[index] = value
          if (value === 0) continue
          if (index < lengthCount) {
            lengthCode.count[value]++
            listed[lengthsUsed++] = index
          } else {
            distanceCode.count[value]++
            distancesListed[distancesUsed++] = index - lengthCount
          }
        }
      }
      if (lengths[256] === 0) return BAD // no end-of-block code
      let left = build(lengthCode, 0, listed, lengthsUsed)
      if (left < 0 || (left > 0 && !allowedIncomplete(lengthCode, lengthsUsed))) return BAD
      left = build(distanceCode, lengthCount, distancesListed, distancesUsed)
      if (left < 0 || (left > 0 && !allowedIncomplete(distanceCode, distancesUsed))) return BAD
      literals = lengthCode
      distances = distanceCode
    } else {
      return BAD
    }
    // The block's literals and matches, to its end code.
    const literalTable = literals.fast
    const literalMask = literals.mask
    const distanceTable = distances.fast
    const distanceMask = distances.mask
    for (;;) {
      if (count < MAX_BITS) while (count <= 23 && position < end) { buffer |= input[position++] << count; count += 8 }
      let entry = literalTable[buffer & literalMask]
      if (entry === 0) entry = longCode(literals, buffer, count)
      if (entry < 0) return entry === SHORT ? written : BAD
      let bits = entry & 15
      if (bits > count) return written
      buffer >>>= bits
      count -= bits
      let symbol = entry >> 4
      if (symbol < 256) {
        output[written++] = symbol
        if (written === limit) return written
        continue
      }
      if (symbol === 256) break
      symbol -= 257
      if (symbol >= 29) return BAD
      let extra = LENGTH_EXTRA[symbol]
      if (count < extra) return written
      let length = LENGTH_BASE[symbol] + (buffer & ((1 << extra) - 1))
      buffer >>>= extra
      count -= extra
      if (count < MAX_BITS) while (count <= 23 && position < end) { buffer |= input[position++] << count; count += 8 }
      entry = distanceTable[buffer & distanceMask]
      if (entry === 0) entry = longCode(distances, buffer, count)
      if (entry < 0) return entry === SHORT ? written : BAD
      bits = entry & 15
      if (bits > count) return written
      buffer >>>= bits
      count -= bits
      symbol = entry >> 4
      extra = DISTANCE_EXTRA[symbol]
      if (count < extra) {
        while (count <= 23 && position < end) { buffer |= input[position++] << count; count += 8 }
        if (count < extra) return written
      }
      const distance = DISTANCE_BASE[symbol] + (buffer & ((1 << extra) - 1))
      buffer >>>= extra
      count -= extra
      if (distance > written) return BAD
      length = Math.min(length, limit - written)
      for (; length > 0; length--, written++) output[written] = output[written - distance]
      if (written === limit) return written
    }
    if (last === 1) return written
  }
}

/** Where a gzip member's deflate data starts (RFC 1952, 2.3): -1 when it is not gzip, the length when the header is cut. */
function gzipDataStart (bytes: Uint8Array): number {
  if (bytes.length < 10) return bytes.length
  const flags = bytes[3]
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b || bytes[2] !== 8 || (flags & 0xe0) !== 0) return -1
  let at = 10
  if ((flags & 0x04) !== 0) at = at + 2 + (bytes[at] | (bytes[at + 1] << 8)) // FEXTRA
  if ((flags & 0x08) !== 0) at = pastZero(bytes, at) // FNAME
  if ((flags & 0x10) !== 0) at = pastZero(bytes, at) // FCOMMENT
  if ((flags & 0x02) !== 0) at += 2 // FHCRC
  return Math.min(at, bytes.length)
}

/** The index past the zero that ends a string of the gzip header (the length when it is cut). */
function pastZero (bytes: Uint8Array, at: number): number {
  const zero = bytes.indexOf(0, at)
  return zero < 0 ? bytes.length : zero + 1
}

/** Whether deflate data opens with zlib's two-byte header (RFC 1950): some servers send raw deflate as `deflate`. */
export function hasZlibHeader (bytes: Uint8Array): boolean {
  return bytes.length >= 2 && (bytes[0] & 0x0f) === 8 && ((bytes[0] << 8) | bytes[1]) % 31 === 0
}

/**
 * The first `maxBytes` (or fewer) bytes a gzip or deflate body decodes to, from its first bytes or all of them: a
 * short input gives what it decodes to so far. Null when the bytes are not that encoding's (a bad header, a preset
 * dictionary, bad deflate data). Checksums are not checked.
 */
export function inflateHead (raw: Uint8Array, encoding: 'gzip' | 'deflate', maxBytes: number): Buffer | null {
  let start = 0
  if (encoding === 'gzip') {
    start = gzipDataStart(raw)
    if (start < 0) return null
  } else if (hasZlibHeader(raw)) {
    if ((raw[1] & 0x20) !== 0) return null // a preset dictionary, which we do not have
    start = 2
  }
  const head = Buffer.allocUnsafe(maxBytes)
  const written = inflate(raw, start, head)
  return written < 0 ? null : head.subarray(0, written)
}
