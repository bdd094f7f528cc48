import t from 'tap'
import { Readable, Writable } from 'node:stream'
import { gzipSync, brotliCompressSync, deflateSync, deflateRawSync } from 'node:zlib'
import { randomBytes } from 'node:crypto'
import { decode, decodeAsync, decodeHead, isReadableEncoding } from '../lib/stream/decode'
import { isStream, Stop, StreamPeek } from '../lib/stream/peek'

// A stop whose deadline is far away: cleared when the test file ends.
const stops: Stop[] = []
function longStop (): Stop {
  const stop = new Stop(60_000, {})
  stops.push(stop)
  return stop
}
t.teardown(() => { for (const stop of stops) stop.clear() })
const never = longStop()

async function collect (stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** A source that has sent `first` and waits for more, and a peek that has read `first`. */
async function peeked (first: string): Promise<{ source: Readable, peek: StreamPeek }> {
  const source = new Readable({ read () {} })
  source.push(first)
  const peek = new StreamPeek(source)
  await peek.read(never)
  return { source, peek }
}

/** Everything a stream sends when piped, as Fastify sends a stream body. */
async function piped (stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  const sink = new Writable({
    write (chunk: Buffer, _encoding, callback) {
      chunks.push(chunk)
      callback()
    }
  })
  await new Promise((resolve, reject) => {
    sink.on('finish', resolve)
    stream.on('error', reject)
    stream.pipe(sink)
  })
  return Buffer.concat(chunks)
}

t.test('isStream knows Node and web streams and nothing else', async (t) => {
  t.ok(isStream(Readable.from([])))
  t.ok(isStream(new ReadableStream()))
  for (const value of [null, 'x', Buffer.from('x'), {}, 1]) t.notOk(isStream(value))
})

t.test('chunks of every kind are read as bytes: Buffer, Uint8Array, string', async (t) => {
  const peek = new StreamPeek(Readable.from([Buffer.from('ab'), new Uint8Array([0x63, 0x64]), 'ef'], { objectMode: true }))
  while (await peek.read(never));
  t.equal(peek.head().toString(), 'abcdef')
  t.equal(peek.bytes, 6)
  t.ok(peek.ended)
  t.equal(await peek.read(never), false, 'reading past the end reads nothing')
})

t.test('replay sends the head, then the rest, in order', async (t) => {
  const peek = new StreamPeek(Readable.from(['a', 'b', 'c', 'd'].map((s) => Buffer.from(s))))
  await peek.read(never)
  await peek.read(never)
  const seen: string[] = []
  t.equal((await piped(peek.replay((chunk) => seen.push(chunk.toString())))).toString(), 'abcd')
  t.same(seen, ['c', 'd'], 'onChunk sees only what comes after the head')
})

t.test('a stop while waiting leaves what comes later in the source, for the replay', async (t) => {
  const source = new Readable({ read () {} })
  source.push('first')
  const peek = new StreamPeek(source)
  t.equal(await peek.read(never), true)
  const stop = new Stop(1, {})
  t.equal(await peek.read(stop), false, 'stopped')
  t.equal(stop.stopped, true)
  t.equal(await peek.read(stop), false, 'a stop, once come, stops every read')
  stop.clear()
  source.push('second')
  source.push(null)
  t.equal((await collect(peek.replay())).toString(), 'firstsecond')
})

t.test('a source that fails during the peek: read says so, and failed() carries its error', async (t) => {
  const { source, peek } = await peeked('x')
  setImmediate(() => source.destroy(new Error('reset')))
  t.equal(await peek.read(never), false)
  t.match(peek.failure, { message: 'reset' })
  t.equal(await peek.read(never), false, 'no read after a failure')
  await t.rejects(collect(peek.failed()), { message: 'reset' })
})

t.test('a source that fails after the peek ends the replay with its error', async (t) => {
  const { source, peek } = await peeked('x')
  const replay = peek.replay()
  setTimeout(() => source.destroy(new Error('late reset')), 10)
  await t.rejects(collect(replay), { message: 'late reset' })
})

t.test('destroying the replay releases the source; after the end there is nothing to release', async (t) => {
  const { source, peek } = await peeked('x')
  const replay = peek.replay()
  replay.destroy()
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(source.destroyed)

  const done = new StreamPeek(Readable.from([Buffer.from('y')]))
  while (await done.read(never));
  const whole = done.replay()
  t.equal((await collect(whole)).toString(), 'y')
  whole.destroy()
  t.ok(whole.destroyed)
})

t.test('a source already ended or destroyed when the peek starts is seen as such at once', async (t) => {
  const ended = Readable.from([Buffer.from('z')])
  for await (const _chunk of ended); // eslint-disable-line no-unused-vars
  const endedPeek = new StreamPeek(ended)
  t.equal(endedPeek.ended, true)
  t.equal(await endedPeek.read(never), false)

  const broken = new Readable({ read () {} })
  broken.on('error', () => {})
  broken.destroy(new Error('gone'))
  t.match(new StreamPeek(broken).failure, { message: 'gone' })
  const closed = new Readable({ read () {} })
  closed.destroy()
  t.match(new StreamPeek(closed).failure, { code: 'ERR_STREAM_PREMATURE_CLOSE' })
})

t.test('a source destroyed without an error during the peek is a premature close', async (t) => {
  const source = new Readable({ read () {} })
  const peek = new StreamPeek(source)
  setImmediate(() => source.destroy())
  t.equal(await peek.read(never), false)
  t.match(peek.failure, { code: 'ERR_STREAM_PREMATURE_CLOSE' })
  t.equal(peek.ended, false)
})

t.test('the replay of a source read to its end keeps its chunks, in object mode too', async (t) => {
  const peek = new StreamPeek(Readable.from(['a', 'b']))
  while (await peek.read(never));
  t.equal(peek.ended, true)
  const replay = peek.replay()
  const seen: unknown[] = []
  for await (const chunk of replay) seen.push(chunk)
  t.same(seen, ['a', 'b'])
})

t.test('replay puts back what was read as the source gave it: decoded strings, objects in object mode', async (t) => {
  const text = new Readable({ read () {} })
  text.setEncoding('utf8')
  text.push(Buffer.from('data: {"x":"é'))
  const peek = new StreamPeek(text)
  await peek.read(never)
  t.equal(peek.head().toString(), 'data: {"x":"é')
  const replay = peek.replay()
  text.push(Buffer.from('ü"}\n\n'))
  text.push(null)
  t.equal((await piped(replay)).toString(), 'data: {"x":"éü"}\n\n')

  for (const encoding of ['hex', 'base64', 'latin1'] as const) {
    const bytes = Buffer.from('{"x":"é"}')
    const plain = new Readable({ read () {} })
    plain.setEncoding(encoding)
    plain.push(bytes)
    plain.push(null)
    const encoded = new Readable({ read () {} })
    encoded.setEncoding(encoding)
    encoded.push(bytes)
    const encodedPeek = new StreamPeek(encoded)
    await encodedPeek.read(never)
    const encodedReplay = encodedPeek.replay()
    encoded.push(null)
    t.same(await piped(encodedReplay), await piped(plain), `${encoding}: the same bytes as without the peek`)
  }

  const objects = Readable.from(['a', 'b', 'c'])
  const objectPeek = new StreamPeek(objects)
  await objectPeek.read(never)
  const seen: unknown[] = []
  for await (const value of objectPeek.replay()) seen.push(value)
  t.same(seen, ['a', 'b', 'c'])
})

t.test('the watch sees exactly what comes after the head, for a source that pushes on timers', async (t) => {
  for (const reads of [1, 2, 3]) {
    const parts = ['a', 'b', 'c', 'd', 'e', 'f']
    const source = new Readable({ read () {} })
    let next = 0
    const timer = setInterval(() => {
      source.push(next < parts.length ? parts[next++] : null)
      if (next === parts.length) {
        source.push(null)
        clearInterval(timer)
      }
    }, 1)
    const peek = new StreamPeek(source)
    for (let i = 0; i < reads; i++) await peek.read(never)
    const head = peek.head().toString()
    const seen: string[] = []
    t.equal((await piped(peek.replay((chunk) => seen.push(chunk.toString())))).toString(), 'abcdef')
    t.equal(head + seen.join(''), 'abcdef', `after ${reads} read(s): the head, then the watch, cover every byte once`)
  }
})

t.test('a watched replay is the source itself, watched once it flows, not when read in paused mode', async (t) => {
  const { source, peek } = await peeked('x')
  const seen: string[] = []
  const replay = peek.replay((chunk) => seen.push(chunk.toString()))
  t.equal(replay, source, 'no stream in between')
  source.push('y')
  source.push(null)
  t.equal((await collect(replay)).toString(), 'xy')
  t.same(seen, [], 'an async iterator reads in paused mode: nothing to watch')
})

t.test('drain reads the rest away and lets the source end on its own', async (t) => {
  const { source, peek } = await peeked('error event')
  peek.drain()
  source.push('more')
  source.push(null)
  await new Promise((resolve) => source.once('end', resolve))
  t.equal(source.readableEnded, true, 'ended, not cut')
})

t.test('drain cuts a source past its byte bound, or one that stalls past its time bound', async (t) => {
  const { source: big, peek } = await peeked('e')
  peek.drain()
  big.push(Buffer.alloc(70 * 1024))
  await new Promise((resolve) => big.once('close', resolve))
  t.equal(big.readableEnded, false, 'destroyed before its end')

  const { source: stalled, peek: stalledPeek } = await peeked('e')
  stalledPeek.drain()
  await new Promise((resolve) => stalled.once('close', resolve))
  t.equal(stalled.destroyed, true, 'destroyed by the drain timer')
})

t.test('drain counts the bytes of strings and objects too', async (t) => {
  const source = new Readable({ objectMode: true, read () {} })
  source.push('e')
  const peek = new StreamPeek(source)
  await peek.read(never)
  peek.drain()
  for (let i = 0; i < 20; i++) source.push('x'.repeat(4096))
  await new Promise((resolve) => source.once('close', resolve))
  t.equal(source.readableEnded, false, 'destroyed past 64 KiB, well before the 1 s bound')
})

t.test('drain has nothing to do for a source that ended or was destroyed', async (t) => {
  const done = new StreamPeek(Readable.from([Buffer.from('a')]))
  while (await done.read(never));
  done.drain()
  t.pass('ended: nothing to drain')
  const { source, peek: gone } = await peeked('a')
  source.destroy()
  gone.drain()
  t.equal(source.listenerCount('data'), 0, 'destroyed: no reading started')
})

const intervals = (): number => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length

t.test('a stop starts its clock at the first wait and fires on its deadline', async (t) => {
  const client = { destroyed: false }
  const timed = new Stop(5, client)
  timed.clear()
  t.equal(timed.stopped, false, 'no clock before the first wait')
  const started = Date.now()
  await new Promise<void>((resolve) => timed.arm(resolve))
  t.equal(timed.stopped, true)
  t.equal(timed.closed, false)
  t.ok(Date.now() - started >= 5, 'not before its deadline')
})

t.test('a stop fires when its client goes away: at once if gone before the first wait, else within a tick', async (t) => {
  const late = new Stop(60000, { destroyed: true })
  let wokenAtOnce = false
  late.arm(() => { wokenAtOnce = true })
  t.same([wokenAtOnce, late.stopped, late.closed], [true, true, true], 'a client gone before the first wait stops it at once')

  const client = { destroyed: false }
  const closing = new Stop(60000, client)
  let first = 0
  let latest = 0
  closing.arm(() => { first++ })
  closing.arm(() => { latest++ }) // a second wait: one clock, the latest waker
  const started = Date.now()
  client.destroyed = true
  await new Promise((resolve) => setTimeout(resolve, 60))
  t.same([first, latest], [0, 1], 'the latest waker is woken, once')
  t.same([closing.stopped, closing.closed], [true, true])
  t.ok(Date.now() - started < 1000, 'long before its deadline')
})

t.test('every waiting stop shares one clock, which stops when none waits', async (t) => {
  for (const stop of stops) stop.clear() // the long stops of earlier tests (the tests after this one read no stream)
  await new Promise((resolve) => setTimeout(resolve, 50))
  const before = intervals()
  const waiting = Array.from({ length: 50 }, () => new Stop(60000, { destroyed: false }))
  for (const stop of waiting) stop.arm(() => {})
  t.equal(intervals(), before + 1, 'one clock for 50 waiting stops')
  for (const stop of waiting) stop.clear()
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(intervals(), before, 'no clock once none waits')
  t.ok(waiting.every((stop) => !stop.stopped), 'a cleared stop never fires')
})

t.test('decode reads gzip, deflate (zlib and raw), br and identity, whole or partial, within a bound', async (t) => {
  const text = Buffer.from('data: {"error":"x"}\n\n'.repeat(20))
  t.equal(decode(text, undefined, false, 1000), text)
  t.equal(decode(text, ' Identity ', false, 1000), text)
  t.same(decode(gzipSync(text), 'gzip', false, 1000), text)
  t.same(decode(gzipSync(text), 'x-gzip', false, 1000), text)
  t.same(decode(brotliCompressSync(text), 'br', false, 1000), text)
  const partialBr = decode(brotliCompressSync(text).subarray(0, 12), 'br', true, 1000)
  t.ok(partialBr !== null && text.subarray(0, partialBr.length).equals(partialBr), 'a partial br body decodes to a prefix')
  t.equal(decode(gzipSync(text), 'gzip', false, 10), null, 'past the bound')
  t.equal(decode(Buffer.from('nope'), 'gzip', false, 1000), null, 'not gzip')
})

t.test('decodeHead gives the first bytes of a gzip or deflate head, in place; identity as it is; br is left to zlib', async (t) => {
  const text = Buffer.from('{"id":"chatcmpl-1","object":"chat.completion","choices":[]}'.repeat(20))
  t.equal(decodeHead(text, ' Identity ', 64), text)
  for (const encoding of ['gzip', 'x-gzip', 'GZIP']) t.same(decodeHead(gzipSync(text), encoding, 64), text.subarray(0, 64), encoding)
  t.same(decodeHead(deflateSync(text), 'deflate', 64), text.subarray(0, 64), 'zlib-wrapped deflate')
  t.same(decodeHead(deflateRawSync(text), 'deflate', 64), text.subarray(0, 64), 'raw deflate')
  const cut = decodeHead(gzipSync(text).subarray(0, 20), 'gzip', 64)
  t.ok(Buffer.isBuffer(cut) && cut.length > 0 && cut.length < 64, 'a cut head: what its bytes hold, and less than asked for')
  t.same(cut, text.subarray(0, (cut as Buffer).length), 'a cut head: a prefix of the body')
  t.equal(decodeHead(text, 'gzip', 64), null, 'not gzip')
  t.equal(decodeHead(brotliCompressSync(text), 'br', 64), undefined, 'br: for zlib')
})

t.test('decodeAsync decodes like decode, in place up to 4 KiB of input and off the event loop past it', async (t) => {
  const small = Buffer.from('data: {"error":"x"}\n\n'.repeat(20))
  // Random hex does not compress: its gzip is larger than 4 KiB, so it is decoded in zlib's thread pool.
  const large = Buffer.from(JSON.stringify({ error: { message: randomBytes(6000).toString('hex') } }))
  for (const text of [small, large]) {
    t.equal(await decodeAsync(text, undefined, false, 1e6), text)
    t.same(await decodeAsync(gzipSync(text), 'gzip', false, 1e6), text)
    t.same(await decodeAsync(brotliCompressSync(text), ' br ', false, 1e6), text)
    t.same(await decodeAsync(deflateSync(text), 'deflate', false, 1e6), text)
    t.same(await decodeAsync(deflateRawSync(text), 'deflate', false, 1e6), text)
    const partial = await decodeAsync(gzipSync(text).subarray(0, 12 + (text.length >> 1)), 'gzip', true, 1e6)
    t.ok(partial !== null && text.subarray(0, partial.length).equals(partial), 'a partial body decodes to a prefix')
    const br = brotliCompressSync(text)
    const partialBr = await decodeAsync(br.subarray(0, Math.max(12, br.length - 100)), 'br', true, 1e6)
    t.ok(partialBr !== null && text.subarray(0, partialBr.length).equals(partialBr), 'a partial br body decodes to a prefix')
    t.equal(await decodeAsync(gzipSync(text), 'gzip', false, 10), null, 'past the bound')
  }
  t.ok(gzipSync(large).length > 4096)
  t.equal(await decodeAsync(Buffer.alloc(5000, 1), 'gzip', false, 1e6), null, 'not gzip')
})

t.test('isReadableEncoding: the encodings decode knows, in any case', async (t) => {
  for (const ok of [undefined, 'gzip', 'GZIP', 'x-gzip', 'deflate', 'br', 'identity']) t.ok(isReadableEncoding(ok), String(ok))
  for (const bad of ['zstd', 'gzip, br', 5, '']) t.notOk(isReadableEncoding(bad), String(bad))
})
