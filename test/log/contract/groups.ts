/** Consumer groups: sharing partitions, rebalance callbacks, committed offsets. */
import { expect, test } from 'vitest'
import { ConfigError } from '../../../core/errors.js'
import type { RebalanceListener, TopicPartition } from '../../../core/log/types.js'
import type { ContractContext } from './context.js'
import {
  drain,
  errorOf,
  makeTopic,
  offsetsOf,
  ownedPartitions,
  partitionsSplit,
  pollUntil,
  produceN,
  uniqueName,
  valuesOf,
} from './helpers.js'

/** A listener that records every call. */
function recordingListener() {
  const assigned: TopicPartition[] = []
  const revoked: TopicPartition[] = []
  const listener: RebalanceListener = {
    onAssigned: (partitions) => {
      assigned.push(...partitions)
    },
    onRevoked: (partitions) => {
      revoked.push(...partitions)
    },
  }
  return { listener, assigned, revoked }
}

function partitionNumbers(partitions: readonly TopicPartition[], topic: string): number[] {
  return [...new Set(partitions.filter((tp) => tp.topic === topic).map((tp) => tp.partition))].sort((a, b) => a - b)
}

export function groupTests(context: ContractContext): void {
  /** Two members of one new group, subscribed to a new 4-partition topic. */
  async function twoMembers(listeners: { a?: RebalanceListener; b?: RebalanceListener } = {}) {
    const topic = await makeTopic(context.log, { partitions: 4 })
    const groupId = uniqueName('group')
    const a = context.consumer({ groupId })
    const b = context.consumer({ groupId })
    await a.subscribe([topic], listeners.a)
    await b.subscribe([topic], listeners.b)
    await pollUntil([a, b], () => partitionsSplit([a, b], topic, 4))
    return { topic, groupId, a, b }
  }

  /** A new one-partition topic with `count` records and a subscribed member of a new group. */
  async function subscribedWithRecords(count: number) {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, count)
    const groupId = uniqueName('group')
    const consumer = context.consumer({ groupId })
    await consumer.subscribe([topic])
    return { topic, groupId, consumer, tp: { topic, partition: 0 } }
  }

  test('members of one group split the partitions of a subscribed topic between them', async () => {
    const { topic, a, b } = await twoMembers()
    const ownedByA = ownedPartitions(a, topic)
    const ownedByB = ownedPartitions(b, topic)
    expect(ownedByA.length).toBeGreaterThan(0)
    expect(ownedByB.length).toBeGreaterThan(0)
    expect(ownedByA.filter((partition) => ownedByB.includes(partition))).toEqual([])
    expect([...ownedByA, ...ownedByB].sort((x, y) => x - y)).toEqual([0, 1, 2, 3])
  })

  test('onAssigned and onRevoked tell a member which partitions it gained and lost', async () => {
    const topic = await makeTopic(context.log, { partitions: 4 })
    const groupId = uniqueName('group')
    const first = recordingListener()
    const second = recordingListener()
    const a = context.consumer({ groupId })
    await a.subscribe([topic], first.listener)
    await pollUntil([a], () => ownedPartitions(a, topic).length === 4)
    expect(partitionNumbers(first.assigned, topic)).toEqual([0, 1, 2, 3])

    const b = context.consumer({ groupId })
    await b.subscribe([topic], second.listener)
    await pollUntil([a, b], () => partitionsSplit([a, b], topic, 4))
    const ownedByB = ownedPartitions(b, topic)
    expect(ownedByB.length).toBeGreaterThan(0)
    expect(partitionNumbers(first.revoked, topic)).toEqual(expect.arrayContaining(ownedByB))
    expect(partitionNumbers(second.assigned, topic)).toEqual(expect.arrayContaining(ownedByB))
  })

  test('a revoked partition goes to another member only after the revoking member finished onRevoked (where it commits)', async () => {
    const topic = await makeTopic(context.log, { partitions: 4 })
    for (let partition = 0; partition < 4; partition++) await produceN(context.producer(), topic, 3, { partition })
    const groupId = uniqueName('group')
    let openGate!: () => void
    const gate = new Promise<void>((resolve) => (openGate = resolve))
    let revoking = false
    const a = context.consumer({ groupId })
    await a.subscribe([topic], {
      onRevoked: async (partitions) => {
        revoking = true
        await gate
        await a.commit(partitions.map(({ partition }) => ({ topic, partition, offset: 2 })))
      },
    })
    await pollUntil([a], () => ownedPartitions(a, topic).length === 4)
    const b = context.consumer({ groupId })
    await b.subscribe([topic])
    // a learns of the rebalance in a poll, and stays in its callback until the gate opens.
    const aPolling = (async () => {
      while (!revoking) await a.poll({ timeoutMs: 50 })
    })()
    for (let polls = 0; polls < 20 && !revoking; polls++) await b.poll({ timeoutMs: 50 })
    expect(revoking).toBe(true)
    for (let polls = 0; polls < 5; polls++) {
      await b.poll({ timeoutMs: 20 })
      expect(ownedPartitions(b, topic)).toEqual([])
    }
    openGate()
    await aPolling
    const [, fromB] = await pollUntil([a, b], () => partitionsSplit([a, b], topic, 4) && ownedPartitions(b, topic).every((partition) => b.position({ topic, partition }) >= 2))
    // b starts where a committed in its callback.
    for (const partition of ownedPartitions(b, topic)) expect(b.position({ topic, partition })).toBeGreaterThanOrEqual(2)
    expect(fromB!.every((record) => record.offset >= 2)).toBe(true)
  })

  test('when a member closes, the remaining member gets every partition', async () => {
    const { topic, a, b } = await twoMembers()
    await b.close()
    await pollUntil([a], () => ownedPartitions(a, topic).length === 4)
    expect(ownedPartitions(a, topic)).toEqual([0, 1, 2, 3])
  })

  test('commit() commits the current positions and committed() returns them', async () => {
    const { consumer, tp } = await subscribedWithRecords(3)
    expect(offsetsOf(await drain(consumer, 3))).toEqual([0, 1, 2])
    await consumer.commit()
    expect(await consumer.committed([tp])).toEqual([3])
  })

  test('commit(offsets) commits exactly the offsets given', async () => {
    const { consumer, tp, topic } = await subscribedWithRecords(5)
    expect(await drain(consumer, 5)).toHaveLength(5)
    await consumer.commit([{ topic, partition: 0, offset: 2 }])
    expect(await consumer.committed([tp])).toEqual([2])
  })

  test('committed() is undefined for a partition the group never committed', async () => {
    const topic = await makeTopic(context.log, { partitions: 2 })
    const consumer = context.consumer({ groupId: uniqueName('group') })
    expect(await consumer.committed([{ topic, partition: 0 }, { topic, partition: 1 }])).toEqual([undefined, undefined])
  })

  test('a new member of the group resumes from the committed offset', async () => {
    const { consumer, topic, groupId } = await subscribedWithRecords(5)
    expect(await drain(consumer, 5)).toHaveLength(5)
    await consumer.commit([{ topic, partition: 0, offset: 3 }])
    await consumer.close()
    const successor = context.consumer({ groupId })
    await successor.subscribe([topic])
    expect(offsetsOf(await drain(successor, 2))).toEqual([3, 4])
  })

  test('subscribing again rejoins: what the member had is revoked, then assigned again, read from the committed offset', async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 5)
    const calls = recordingListener()
    const consumer = context.consumer({ groupId: uniqueName('group') })
    await consumer.subscribe([topic], calls.listener)
    expect(await drain(consumer, 5)).toHaveLength(5)
    await consumer.commit([{ topic, partition: 0, offset: 2 }])

    await consumer.subscribe([topic], calls.listener)
    expect(partitionNumbers(calls.revoked, topic)).toEqual([0])
    // Positions past the commit are forgotten: the member reads on from the committed offset, as a new one would.
    expect(offsetsOf(await drain(consumer, 3))).toEqual([2, 3, 4])
    expect(calls.assigned.filter((tp) => tp.topic === topic)).toHaveLength(2)
  })

  test('two groups read the same topic independently, each seeing every record', async () => {
    const topic = await makeTopic(context.log, { partitions: 2 })
    const producer = context.producer()
    await produceN(producer, topic, 2, { partition: 0, prefix: 'p0-' })
    await produceN(producer, topic, 2, { partition: 1, prefix: 'p1-' })
    const first = context.consumer({ groupId: uniqueName('group') })
    const second = context.consumer({ groupId: uniqueName('group') })
    await first.subscribe([topic])
    await second.subscribe([topic])
    const readByFirst = await drain(first, 4)
    await first.commit()
    const readBySecond = await drain(second, 4)
    const everything = ['p0-0', 'p0-1', 'p1-0', 'p1-1']
    expect(valuesOf(readByFirst).sort()).toEqual(everything)
    expect(valuesOf(readBySecond).sort()).toEqual(everything)
    expect(await second.committed([{ topic, partition: 0 }, { topic, partition: 1 }])).toEqual([undefined, undefined])
  })

  test('a consumer without a groupId cannot subscribe', async () => {
    const topic = await makeTopic(context.log)
    const consumer = context.consumer()
    expect(await errorOf(() => consumer.subscribe([topic]))).toBeInstanceOf(ConfigError)
  })

  test('a consumer without a groupId cannot commit', async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 1)
    const consumer = context.consumer()
    await consumer.assign([{ topic, partition: 0 }])
    expect(await drain(consumer, 1)).toHaveLength(1)
    expect(await errorOf(() => consumer.commit())).toBeInstanceOf(ConfigError)
  })
}
