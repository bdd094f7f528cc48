import t from 'tap'
import { eventJson, firstDataEvent, firstJsonLine } from '../lib/stream/sse'

t.test('the first data event is found past comments, pings and empty events', async (t) => {
  t.same(firstDataEvent(': c\n\nevent: ping\ndata: {"type":"ping"}\n\nevent: x\n\ndata: {"a":1}\n\n', false), { event: undefined, data: '{"a":1}' })
  t.same(firstDataEvent('event: error\r\ndata: {"type":"error"}\r\n\r\n', false), { event: 'error', data: '{"type":"error"}' })
  t.same(firstDataEvent('event: error\rdata: x\r\rdata: y', false), { event: 'error', data: 'x' }, 'lone CR line ends')
})

t.test('data lines join with newlines; a field without colon and a value without space are read per spec', async (t) => {
  t.same(firstDataEvent('data:one\ndata\ndata: three\n\n', false), { event: undefined, data: 'one\n\nthree' })
  t.same(firstDataEvent('id: 7\nretry: 100\ndata:x\n\n', false), { event: undefined, data: 'x' })
  t.same(firstDataEvent('\ufeffdata: x\n\n', false), { event: undefined, data: 'x' }, 'a byte order mark before the first field')
})

t.test('more text is needed until an event is whole', async (t) => {
  t.equal(firstDataEvent('', false), undefined)
  t.equal(firstDataEvent('data: {"a"', false), undefined)
  t.equal(firstDataEvent('data: {"a":1}\n', false), undefined)
  t.equal(firstDataEvent('data: {"a":1}\r', false), undefined, 'a trailing CR may be half a CRLF')
  t.equal(firstDataEvent(': comment\n\n', false), undefined)
})

t.test('at the end of the stream, an unterminated event counts and no event is null', async (t) => {
  t.same(firstDataEvent('data: {"error":"x"}\ndata: [DONE]\n', true), { event: undefined, data: '{"error":"x"}\n[DONE]' })
  t.same(firstDataEvent('data: last', true), { event: undefined, data: 'last' })
  t.equal(firstDataEvent(': only a comment\n\n', true), null)
  t.equal(firstDataEvent('event: ping\ndata: {}', true), null)
  t.equal(firstDataEvent('', true), null)
})

t.test('eventJson reads the whole data, or its first line, or gives null', async (t) => {
  t.same(eventJson({ event: undefined, data: '{"a":1}' }), { value: { a: 1 }, text: '{"a":1}' })
  t.same(eventJson({ event: undefined, data: '{"error":"x"}\n[DONE]' }), { value: { error: 'x' }, text: '{"error":"x"}' })
  t.equal(eventJson({ event: 'error', data: 'plain text' }), null)
})

t.test('firstJsonLine: the first non-empty line, the last unterminated one at the end, or nothing', async (t) => {
  t.same(firstJsonLine('\n  \n{"a":1}\n{"b":2}\n', false), { event: undefined, data: '{"a":1}' })
  t.equal(firstJsonLine('{"a":', false), undefined)
  t.same(firstJsonLine('\n{"a":1}', true), { event: undefined, data: '{"a":1}' })
  t.equal(firstJsonLine('\n \n', true), null)
})

t.test('firstJsonLine reads JSON text sequences (RFC 7464) without their record separator', async (t) => {
  t.same(firstJsonLine('\x1e{"error":"x"}\n', false), { event: undefined, data: '{"error":"x"}' })
  t.same(firstJsonLine('\x1e {"a":1}', true), { event: undefined, data: '{"a":1}' })
})
