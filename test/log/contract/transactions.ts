/** Transactions: visibility under each isolation level, control markers, offsets, state rules. */
import { expect, test } from 'vitest'
import { TributaryError } from '../../../core/errors.js'
import { TransactionStateError } from '../../../core/log/errors.js'
import type { Consumer, IsolationLevel, TopicPartition, Transaction } from '../../../core/log/types.js'
import type { ContractContext } from './context.js'
import {
  bytes,
  consumerOfPartition0,
  drain,
  drainUntilValue,
  errorOf,
  makeTopic,
  offsetsOf,
  strictlyIncreasing,
  uniqueName,
  valuesOf,
} from './helpers.js'

/** How long to wait for a group's committed offsets to settle (a broker writes commit markers after answering). */
const SETTLE_DEADLINE_MS = 15_000

/** Reads committed offsets until they equal `expected` or the deadline passes; returns the last answer. */
async function committedSettled(
  consumer: Consumer,
  partitions: readonly TopicPartition[],
  expected: readonly (number | undefined)[],
): Promise<(number | undefined)[]> {
  const deadline = Date.now() + SETTLE_DEADLINE_MS
  let committed = await consumer.committed(partitions)
  while (Date.now() < deadline && JSON.stringify(committed) !== JSON.stringify(expected)) {
    // Yield to the event loop between reads (not a sleep: no time is waited).
    await new Promise<void>((resolve) => setImmediate(resolve))
    committed = await consumer.committed(partitions)
  }
  return committed
}

type TransactionStep = (transaction: Transaction, topic: string) => Promise<unknown>

const STEPS_AFTER_END: readonly (readonly [string, TransactionStep])[] = [
  ['send', (transaction, topic) => transaction.send([{ topic, partition: 0, value: bytes('late') }])],
  ['sendOffsets', (transaction, topic) => transaction.sendOffsets(uniqueName('group'), [{ topic, partition: 0, offset: 0 }])],
  ['commit', (transaction) => transaction.commit()],
  ['abort', (transaction) => transaction.abort()],
]

export function transactionTests(context: ContractContext): void {
  const transactionalProducer = () => context.producer({ transactionalId: uniqueName('txn') })
  const assignedConsumer = (topic: string, isolation?: IsolationLevel) => consumerOfPartition0(context, topic, isolation)

  /** Partition 0: 'before' (plain), 'txn' (in a transaction left open), 'after' (plain). */
  async function openTransactionBetweenRecords() {
    const topic = await makeTopic(context.log)
    const plain = context.producer()
    await plain.send([{ topic, partition: 0, value: bytes('before') }])
    const transaction = await transactionalProducer().beginTransaction()
    await transaction.send([{ topic, partition: 0, value: bytes('txn') }])
    await plain.send([{ topic, partition: 0, value: bytes('after') }])
    const consumer = await assignedConsumer(topic, 'read_committed')
    return { topic, transaction, consumer }
  }

  test('a producer without a transactionalId cannot begin a transaction', async () => {
    expect(await errorOf(() => context.producer().beginTransaction())).toBeInstanceOf(TributaryError)
  })

  test('records of a transaction reach read_committed consumers (the default) only after commit', async () => {
    const topic = await makeTopic(context.log)
    const consumer = await assignedConsumer(topic)
    const transaction = await transactionalProducer().beginTransaction()
    await transaction.send([0, 1].map((index) => ({ topic, partition: 0, value: bytes(`t${index}`) })))
    expect(await drain(consumer, 1, 2)).toEqual([])
    await transaction.commit()
    expect(valuesOf(await drain(consumer, 2))).toEqual(['t0', 't1'])
  })

  test('records of an aborted transaction never reach read_committed consumers', async () => {
    const topic = await makeTopic(context.log)
    const transaction = await transactionalProducer().beginTransaction()
    await transaction.send([0, 1].map((index) => ({ topic, partition: 0, value: bytes(`aborted${index}`) })))
    await transaction.abort()
    await context.producer().send([{ topic, partition: 0, value: bytes('after') }])
    const consumer = await assignedConsumer(topic, 'read_committed')
    expect(valuesOf(await drainUntilValue(consumer, 'after'))).toEqual(['after'])
  })

  test('a read_committed consumer moves past an aborted transaction that ends the partition, returning none of it', async () => {
    const topic = await makeTopic(context.log)
    const transaction = await transactionalProducer().beginTransaction()
    await transaction.send([0, 1].map((index) => ({ topic, partition: 0, value: bytes(`aborted${index}`) })))
    await transaction.abort()
    const consumer = await assignedConsumer(topic, 'read_committed')
    const partition0 = { topic, partition: 0 }
    const endOffset = async () => (await context.log.describeTopic(topic)).partitions[0]!.endOffset
    // Nothing follows the abort (a restore reading a changelog to its end sees this): the position must still reach the end.
    const deadline = Date.now() + SETTLE_DEADLINE_MS
    const records = []
    while (Date.now() < deadline && !((await endOffset()) > 2 && consumer.position(partition0) === (await endOffset()))) {
      records.push(...(await consumer.poll({ timeoutMs: 100 })))
    }
    expect(valuesOf(records)).toEqual([])
    expect(consumer.position(partition0)).toBe(await endOffset())
  })

  test('read_uncommitted consumers see the records of an aborted transaction', async () => {
    const topic = await makeTopic(context.log)
    const transaction = await transactionalProducer().beginTransaction()
    await transaction.send([0, 1].map((index) => ({ topic, partition: 0, value: bytes(`aborted${index}`) })))
    await transaction.abort()
    await context.producer().send([{ topic, partition: 0, value: bytes('after') }])
    const consumer = await assignedConsumer(topic, 'read_uncommitted')
    expect(valuesOf(await drainUntilValue(consumer, 'after'))).toEqual(['aborted0', 'aborted1', 'after'])
  })

  test.each(['read_committed', 'read_uncommitted'] as const)(
    '%s consumers never get control markers, and offsets keep increasing past them',
    async (isolation) => {
      const topic = await makeTopic(context.log)
      const transaction = await transactionalProducer().beginTransaction()
      const inTransaction = await transaction.send([0, 1].map((index) => ({ topic, partition: 0, value: bytes(`t${index}`) })))
      await transaction.commit()
      const afterwards = await context.producer().send([0, 1].map((index) => ({ topic, partition: 0, value: bytes(`after${index}`) })))
      const records = await drainUntilValue(await assignedConsumer(topic, isolation), 'after1')
      expect(valuesOf(records)).toEqual(['t0', 't1', 'after0', 'after1'])
      expect(strictlyIncreasing(offsetsOf(records))).toBe(true)
      expect(offsetsOf(records)).toEqual([...inTransaction, ...afterwards].map((metadata) => metadata.offset))
    },
  )

  test('read_committed consumers get records written before an open transaction', async () => {
    const { consumer } = await openTransactionBetweenRecords()
    expect(valuesOf(await drainUntilValue(consumer, 'before'))).toEqual(['before'])
  })

  test('read_committed consumers hold back records written after an open transaction began until it commits', async () => {
    const { transaction, consumer } = await openTransactionBetweenRecords()
    const whileOpen = await drainUntilValue(consumer, 'before')
    whileOpen.push(...(await drain(consumer, Number.POSITIVE_INFINITY, 3)))
    expect(valuesOf(whileOpen)).toEqual(['before'])
    await transaction.commit()
    expect(valuesOf(await drainUntilValue(consumer, 'after'))).toEqual(['txn', 'after'])
  })

  test('held-back records are released when the open transaction aborts, without its own records', async () => {
    const { transaction, consumer } = await openTransactionBetweenRecords()
    expect(valuesOf(await drainUntilValue(consumer, 'before'))).toEqual(['before'])
    await transaction.abort()
    expect(valuesOf(await drainUntilValue(consumer, 'after'))).toEqual(['after'])
  })

  test("offsets sent in a transaction become the group's committed offsets only on commit", async () => {
    const topic = await makeTopic(context.log)
    const groupId = uniqueName('group')
    const tp = { topic, partition: 0 }
    const checker = context.consumer({ groupId })
    const transaction = await transactionalProducer().beginTransaction()
    await transaction.sendOffsets(groupId, [{ ...tp, offset: 3 }])
    expect(await checker.committed([tp])).toEqual([undefined])
    await transaction.commit()
    expect(await committedSettled(checker, [tp], [3])).toEqual([3])
  })

  test('offsets sent in an aborted transaction are never committed', async () => {
    const topic = await makeTopic(context.log, { partitions: 2 })
    const groupId = uniqueName('group')
    const partitions = [
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]
    const checker = context.consumer({ groupId })
    const producer = transactionalProducer()
    const aborted = await producer.beginTransaction()
    await aborted.sendOffsets(groupId, [{ topic, partition: 0, offset: 3 }])
    await aborted.abort()
    // A later committed transaction is the sign that the abort has settled too.
    const committed = await producer.beginTransaction()
    await committed.sendOffsets(groupId, [{ topic, partition: 1, offset: 1 }])
    await committed.commit()
    expect(await committedSettled(checker, partitions, [undefined, 1])).toEqual([undefined, 1])
  })

  test('a producer runs one transaction after another', async () => {
    const topic = await makeTopic(context.log)
    const producer = transactionalProducer()
    for (const value of ['first', 'second']) {
      const transaction = await producer.beginTransaction()
      await transaction.send([{ topic, partition: 0, value: bytes(value) }])
      await transaction.commit()
    }
    expect(valuesOf(await drainUntilValue(await assignedConsumer(topic, 'read_committed'), 'second'))).toEqual([
      'first',
      'second',
    ])
  })

  test('only one transaction is open at a time: beginTransaction twice throws TransactionStateError', async () => {
    const producer = transactionalProducer()
    await producer.beginTransaction()
    expect(await errorOf(() => producer.beginTransaction())).toBeInstanceOf(TransactionStateError)
  })

  for (const ending of ['commit', 'abort'] as const) {
    test.each(STEPS_AFTER_END)(`after ${ending}, %s throws TransactionStateError`, async (_step, step) => {
      const topic = await makeTopic(context.log)
      const transaction = await transactionalProducer().beginTransaction()
      await transaction.send([{ topic, partition: 0, value: bytes('in') }])
      await (ending === 'commit' ? transaction.commit() : transaction.abort())
      expect(await errorOf(() => step(transaction, topic))).toBeInstanceOf(TransactionStateError)
    })
  }
}
