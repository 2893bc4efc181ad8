/**
 * `tributary connect` as a user runs it: one config with the datagen source, the example
 * third-party plugin loaded by its path (relative to the config file), and the log-mirror sink
 * copying the generated topic to a second embedded log; SIGTERM stops them cleanly.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { NexmarkGenerator } from '../../../connectors/nexmark/index.js'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import { startEndpoint, type TestEndpoint } from '../../../examples/connector-plugin/test/endpoint.js'
import { REPO_ROOT, startBinary, temporaryDirectory, type BinaryProcess } from '../../cli/helpers.js'
import { readTopic, waitUntil } from '../../runtime/helpers.js'

const PLUGIN_DIR = path.join(REPO_ROOT, 'examples/connector-plugin')
let endpoint: TestEndpoint | undefined
let running: BinaryProcess | undefined

afterEach(async () => {
  if (running !== undefined && running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill('SIGKILL') // a test that failed midway leaves no process behind
    await running.exited
  }
  running = undefined
  await endpoint?.close()
  endpoint = undefined
})

async function endOffset(dataDir: string, topic: string): Promise<number> {
  if (!fs.existsSync(path.join(dataDir, `${topic}-0`))) return 0
  const log = await openEmbeddedLog({ dir: dataDir, readOnly: true })
  try {
    return (await log.describeTopic(topic)).partitions.reduce((sum, partition) => sum + partition.endOffset, 0)
  } catch {
    return 0
  } finally {
    await log.close()
  }
}

describe('tributary connect with datagen, a plugin by path and log-mirror', { timeout: 120_000 }, () => {
  test('generates, polls, mirrors, and stops cleanly on SIGTERM', async () => {
    endpoint = await startEndpoint()
    endpoint.items = [{ id: 1, sku: 'a' }, { id: 2, sku: 'b' }]
    const dir = temporaryDirectory()
    const mirrorDir = path.join(dir, 'mirror')
    const config = path.join(dir, 'connect.json')
    fs.writeFileSync(
      config,
      JSON.stringify({
        log: { data: './data' },
        connectors: [
          { name: 'gen', connector: 'datagen-source', topic: 'events', config: { generator: 'nexmark', seed: 3, maxRecords: 500 } },
          { name: 'orders-api', connector: `./${path.relative(dir, PLUGIN_DIR)}`, topic: 'orders', config: { url: endpoint.url, itemsField: 'data', interval: '50ms' } },
          { name: 'mirror', connector: 'log-mirror-sink', topics: ['events'], config: { target: { data: mirrorDir } }, commitInterval: 50 },
        ],
      }),
    )
    running = startBinary(['connect', config])
    const data = path.join(dir, 'data')
    await waitUntil(async () => (await endOffset(data, 'events')) === 500 && (await endOffset(data, 'orders')) === 2 && (await endOffset(mirrorDir, 'events')) === 500, 'generated, polled and mirrored records')
    running.child.kill('SIGTERM')
    const exited = await running.exited
    expect(exited.code).toBe(0)
    expect(exited.stderr).toContain('running 3 connectors')

    const log = await openEmbeddedLog({ dir: data, readOnly: true })
    const mirror = await openEmbeddedLog({ dir: mirrorDir, readOnly: true })
    try {
      const events = await readTopic(log, 'events')
      expect(events.map((record) => JSON.parse(record.value?.toString() ?? 'null') as unknown)).toEqual([...new NexmarkGenerator({ seed: 3, maxEvents: 500 })])
      expect((await readTopic(mirror, 'events')).map((record) => record.value)).toEqual(events.map((record) => record.value))
      expect((await readTopic(log, 'orders')).map((record) => record.key?.toString())).toEqual(['1', '2'])
    } finally {
      await log.close()
      await mirror.close()
    }
  })
})
