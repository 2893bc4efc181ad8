import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import type { Log } from '../../../core/log/types.js'
import { startConnector } from '../../../connectors/runner/index.js'
import { readableSource, writableSink } from '../../../connectors/stdio/index.js'
import { readTopic, waitUntil } from '../../runtime/helpers.js'

let dir: string
let log: Log
const quiet = { logSink: () => undefined }

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-stdio-runner-'))
  log = await openEmbeddedLog({ dir })
})

afterEach(async () => {
  await log.close()
  await rm(dir, { recursive: true, force: true })
})

test('lines of a stream go to a topic, and a topic back out as lines', async () => {
  const input = new PassThrough()
  const source = await startConnector(log, { name: 'lines-in', connector: readableSource(input), topic: 'lines', config: { format: 'jsonl' }, deadLetterTopic: 'lines-dlq' }, quiet)
  input.write('{"a":1}\nnot json\n[2]\n')
  await waitUntil(() => source.metrics().records >= 3, 'three records written')
  await source.stop()
  expect((await readTopic(log, 'lines')).map((record) => record.value?.toString())).toEqual(['{"a":1}', '[2]'])
  expect((await readTopic(log, 'lines-dlq')).map((record) => record.value?.toString())).toEqual(['not json'])

  let written = ''
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written += chunk.toString()
      callback()
    },
  })
  const sink = await startConnector(log, { name: 'lines-out', connector: writableSink(output), topics: ['lines'] }, quiet)
  await waitUntil(() => sink.metrics().records >= 2, 'two records put')
  await sink.stop()
  expect(written).toBe('{"a":1}\n[2]\n')
})
