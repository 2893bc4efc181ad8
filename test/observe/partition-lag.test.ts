import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import type { Log } from '../../core/log/types.js'
import { partitionLag } from '../../core/runtime/partition-lag.js'
import { PartitionTracker } from '../../core/runtime/partition-tracker.js'
import type { SourceNode } from '../../core/runtime/topology.js'

let dir = ''
let log: Log | undefined
afterEach(async () => {
  await log?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('partitionLag', () => {
  // Found by the Kafka scale-out and zombie tests: metrics read right after a rebalance asked the
  // Kafka consumer for the lag of a partition it had just lost, which throws, and the app died.
  it('leaves out a partition the consumer no longer has, instead of asking for its lag', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tributary-lag-'))
    log = await openEmbeddedLog({ dir })
    await log.createTopic('lines', { partitions: 2 })
    const producer = log.producer()
    await producer.send([0, 1, 0, 1, 0].map((partition) => ({ topic: 'lines', partition, value: Buffer.from('x') })))
    const consumer = log.consumer()
    await consumer.assign([{ topic: 'lines', partition: 0 }])
    await consumer.seekToBeginning()
    const source = { kind: 'source', id: 0, topics: ['lines'] } as unknown as SourceNode
    const inputs = [0, 1].map((partition) => ({ tracker: new PartitionTracker('lines', partition, source), buffer: [], head: 0 }))
    expect(partitionLag(consumer, inputs)).toEqual([{ topic: 'lines', partition: 0, lag: 3 }])
    await consumer.close()
    await producer.close()
  })
})
