import { PassThrough, Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readLineBatches } from '../../core/cli/lines.js'

async function collect(chunks: readonly (string | Buffer)[], maxLines = 1000): Promise<string[][]> {
  const batches: string[][] = []
  for await (const batch of readLineBatches(Readable.from(chunks), { maxLines })) {
    batches.push(batch.map((line) => line.toString('utf8')))
  }
  return batches
}

describe('readLineBatches', () => {
  it('gives one line per newline, and no line for a trailing newline', async () => {
    expect((await collect(['a\nb\n'])).flat()).toEqual(['a', 'b'])
  })

  it('keeps text after the last newline as a line', async () => {
    expect((await collect(['a\nb'])).flat()).toEqual(['a', 'b'])
  })

  it('keeps empty lines in the middle as empty lines', async () => {
    expect((await collect(['a\n\nb\n'])).flat()).toEqual(['a', '', 'b'])
  })

  it('gives nothing for empty input', async () => {
    expect(await collect([''])).toEqual([])
  })

  it('joins a line split across chunks, also inside a multi-byte character', async () => {
    const bytes = Buffer.from('héllo wörld\nsecond\n', 'utf8')
    const chunks = [bytes.subarray(0, 2), bytes.subarray(2, 3), bytes.subarray(3, 9), bytes.subarray(9)]
    expect((await collect(chunks)).flat()).toEqual(['héllo wörld', 'second'])
  })

  it('drops the carriage return of a CRLF line ending', async () => {
    expect((await collect(['a\r\nb\r\n'])).flat()).toEqual(['a', 'b'])
  })

  it('caps a batch at maxLines', async () => {
    const input = Array.from({ length: 25 }, (_, i) => `line-${i}\n`).join('')
    const batches = await collect([input], 10)
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5])
  })

  it('gives a batch whenever the input has nothing more ready', async () => {
    expect(await collect(['a\nb\n', 'c\n'])).toEqual([['a', 'b'], ['c']])
  })

  it('stops reading when the signal aborts, dropping an unfinished line', async () => {
    const input = new PassThrough()
    const interrupt = new AbortController()
    const batches = readLineBatches(input, { maxLines: 1000, signal: interrupt.signal })
    input.write('first\nunfinished')
    const first = await batches.next()
    expect(first.value?.map(String)).toEqual(['first'])
    interrupt.abort()
    expect((await batches.next()).done).toBe(true)
  })
})
