import { describe, expect, test } from 'vitest'
import { ManualClock } from '../../../core/manual-clock.js'
import type { Consumer, TopicPartition } from '../../../core/log/types.js'
import { useDataDir } from './helpers.js'

const sorted = (partitions: TopicPartition[]): number[] => partitions.map((tp) => tp.partition).sort((a, b) => a - b)

async function settle(consumers: Consumer[], rounds = 5): Promise<void> {
  for (let round = 0; round < rounds; round++) for (const consumer of consumers) await consumer.poll()
}

describe('embedded consumer groups', () => {
  const data = useDataDir()

  test('a member that stops polling past its session timeout loses its partitions to the others', async () => {
    const clock = new ManualClock(1_000)
    const log = await data.open({ clock })
    await log.createTopic('work', { partitions: 4 })
    const live = log.consumer({ groupId: 'workers', sessionTimeoutMs: 10_000 })
    const stuck = log.consumer({ groupId: 'workers', sessionTimeoutMs: 10_000 })
    await live.subscribe(['work'])
    await stuck.subscribe(['work'])
    await settle([live, stuck])
    expect(sorted(live.assignment())).toHaveLength(2)
    clock.advance(10_001)
    await settle([live])
    expect(sorted(live.assignment())).toEqual([0, 1, 2, 3])
  })

  test('moving a partition waits for its old owner to revoke it, so no two members hold it at once', async () => {
    const log = await data.open()
    await log.createTopic('jobs', { partitions: 2 })
    const events: string[] = []
    const first = log.consumer({ groupId: 'g' })
    await first.subscribe(['jobs'], {
      onRevoked: (partitions) => void events.push(`first revoked ${sorted([...partitions])}`),
      onAssigned: (partitions) => void events.push(`first assigned ${sorted([...partitions])}`),
    })
    await settle([first])
    const second = log.consumer({ groupId: 'g' })
    await second.subscribe(['jobs'], { onAssigned: (partitions) => void events.push(`second assigned ${sorted([...partitions])}`) })
    await second.poll()
    expect(second.assignment()).toEqual([])
    await first.poll()
    await second.poll()
    expect(events).toEqual(['first assigned 0,1', 'first revoked 1', 'second assigned 1'])
  })

  test('the sticky assignment keeps partitions where they are when a member joins', async () => {
    const log = await data.open()
    await log.createTopic('sticky', { partitions: 6 })
    const a = log.consumer({ groupId: 's' })
    const b = log.consumer({ groupId: 's' })
    await a.subscribe(['sticky'])
    await b.subscribe(['sticky'])
    await settle([a, b])
    const before = { a: sorted(a.assignment()), b: sorted(b.assignment()) }
    const c = log.consumer({ groupId: 's' })
    await c.subscribe(['sticky'])
    await settle([a, b, c])
    expect(sorted(a.assignment()).every((p) => before.a.includes(p))).toBe(true)
    expect(sorted(b.assignment()).every((p) => before.b.includes(p))).toBe(true)
    expect([a, b, c].map((consumer) => consumer.assignment().length)).toEqual([2, 2, 2])
  })
})

describe('an expelled group member', () => {
  const data = useDataDir()

  test('drops its partitions and rejoins when it polls again', async () => {
    const clock = new ManualClock(1_000)
    const log = await data.open({ clock, logger: { warn: () => undefined } })
    await log.createTopic('work', { partitions: 2 })
    const revoked: number[] = []
    const zombie = log.consumer({ groupId: 'workers', sessionTimeoutMs: 10_000 })
    const live = log.consumer({ groupId: 'workers', sessionTimeoutMs: 10_000 })
    await zombie.subscribe(['work'], { onRevoked: (partitions) => void revoked.push(...partitions.map((tp) => tp.partition)) })
    await live.subscribe(['work'])
    await settle([zombie, live])
    const zombieHad = sorted(zombie.assignment())
    clock.advance(10_001)
    await live.poll()
    expect(sorted(live.assignment())).toEqual([0, 1])
    await zombie.poll()
    expect(zombie.assignment()).toEqual([])
    expect(revoked).toEqual(zombieHad)
    await settle([zombie, live])
    expect(sorted([...zombie.assignment(), ...live.assignment()])).toEqual([0, 1])
  })
})
