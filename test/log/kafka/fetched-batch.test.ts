/**
 * The fetched batch that replaces kafkajs 2.2.4's (kafkajs-fixes.ts), checked against kafkajs's own
 * Batch (compiled afresh from its file for the comparison) on fetches of every shape.
 */
import { readFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fetchedBatchClass, fromFetchedOffset, type FetchedPartitionData, type FilterAbortedMessages, type KafkaJsBatchClass } from '../../../core/log/kafka/fetched-batch.js'
import { kafkajsFixesApplied } from '../../../core/log/kafka/kafkajs-fixes.js'

const require = createRequire(import.meta.url)

type BatchConstructor = new (topic: string, fetchedOffset: string, partitionData: FetchedPartitionData) => Record<string, unknown> & Record<'isEmpty' | 'isEmptyIncludingFiltered' | 'isEmptyDueToFiltering' | 'isEmptyControlRecord' | 'isEmptyDueToLogCompactedMessages' | 'firstOffset' | 'lastOffset' | 'offsetLag' | 'offsetLagLow', () => unknown>

/** kafkajs's Batch as shipped, compiled afresh from its file (the cached module is the fix). */
function kafkajsBatch(): BatchConstructor {
  const path = require.resolve('kafkajs/src/consumer/batch.js')
  const internals = Module as unknown as { new (id: string): { filename: string; paths: string[]; exports: unknown; _compile(source: string, path: string): void }; _nodeModulePaths(dir: string): string[] }
  const original = new internals(path)
  original.filename = path
  original.paths = internals._nodeModulePaths(dirname(path))
  original._compile(readFileSync(path, 'utf8'), path)
  return original.exports as BatchConstructor
}

const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages.js') as FilterAbortedMessages

/** A fetched record at `offset` as kafkajs's decoder gives it. */
function message(offset: number, options: { control?: boolean; producerId?: string; inTransaction?: boolean; key?: Buffer } = {}) {
  return {
    offset: String(offset),
    key: options.key ?? Buffer.from(`k${offset}`),
    value: Buffer.from(`v${offset}`),
    isControlRecord: options.control ?? false,
    batchContext: { producerId: options.producerId ?? '-1', inTransaction: options.inTransaction ?? false },
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => message(from + index))

const METHODS = ['isEmpty', 'isEmptyIncludingFiltered', 'isEmptyDueToFiltering', 'isEmptyControlRecord', 'isEmptyDueToLogCompactedMessages', 'firstOffset', 'lastOffset', 'offsetLag', 'offsetLagLow'] as const

function expectSameBatch(fetchedOffset: string, partitionData: FetchedPartitionData): void {
  const Original = kafkajsBatch()
  const Fixed = fetchedBatchClass(Original as unknown as KafkaJsBatchClass, filterAbortedMessages) as unknown as BatchConstructor
  const original = new Original('orders', fetchedOffset, partitionData)
  const fixed = new Fixed('orders', fetchedOffset, partitionData)
  expect(fixed).toBeInstanceOf(Original)
  expect({ ...fixed }).toEqual({ ...original })
  for (const method of METHODS) expect([method, fixed[method]()]).toEqual([method, original[method]()])
}

describe('fetchedBatchClass', () => {
  it('is kafkajs’s Batch for a fetch from its first record', () => {
    expectSameBatch('5', { partition: 2, highWatermark: '12', messages: range(5, 10), abortedTransactions: [] })
  })

  it('drops the records before the fetched offset, as kafkajs does, when a fetch starts inside a record batch', () => {
    expectSameBatch('7', { partition: 0, highWatermark: '10', messages: range(5, 10), abortedTransactions: [] })
  })

  it('is empty, with kafkajs’s offsets and lags, when every record is before the fetched offset or there is none', () => {
    expectSameBatch('20', { partition: 0, highWatermark: '25', messages: range(5, 10), abortedTransactions: [] })
    expectSameBatch('5', { partition: 0, highWatermark: '5', messages: [], abortedTransactions: [] })
  })

  it('drops control records and records of aborted transactions as kafkajs does', () => {
    const messages = [
      message(3),
      message(4, { producerId: '9', inTransaction: true }),
      message(5, { producerId: '9', inTransaction: true }),
      message(6, { producerId: '9', inTransaction: true, control: true, key: Buffer.from([0, 0, 0, 0]) }),
      message(7),
      message(8, { control: true, key: Buffer.from([0, 0, 0, 1]) }),
    ]
    expectSameBatch('3', { partition: 1, highWatermark: '9', messages, abortedTransactions: [{ producerId: '9', firstOffset: '4' }] })
    expectSameBatch('5', { partition: 1, highWatermark: '9', messages, abortedTransactions: [{ producerId: '9', firstOffset: '4' }] })
  })

  it('compares offsets past 2^53 exactly', () => {
    const big = ['9007199254740993', '9007199254740994', '9007199254740995'].map((offset) => ({ ...message(0), offset }))
    expect(fromFetchedOffset(big, '9007199254740994').map((record) => record.offset)).toEqual(['9007199254740994', '9007199254740995'])
  })

  it('is the batch kafkajs’s consumer makes once Tributary is loaded', () => {
    expect(kafkajsFixesApplied()).toBe(true)
    const installed = require('kafkajs/src/consumer/batch.js') as { fixed?: boolean }
    expect(installed.fixed).toBe(true)
  })
})
