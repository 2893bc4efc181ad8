// Tributary first: its fixes wrap kafkajs's ConsumerGroup, as in an app.
import { kafkajsFixesApplied } from '../../../core/log/kafka/kafkajs-fixes.js'
import { createRequire } from 'node:module'
import { describe, expect, test } from 'vitest'
import { findCoordinatorAgain, followCoordinator, isCoordinatorLost, isGroupLoading } from '../../../core/log/kafka/coordinator-failover.js'

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED' })
const answered = (type: string): Error => Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type })

describe('isCoordinatorLost', () => {
  test('a broker that cannot be reached, or one that is not the coordinator, means the coordinator is lost', () => {
    expect(isCoordinatorLost(refused())).toBe(true)
    expect(isCoordinatorLost(Object.assign(new Error('closed'), { name: 'KafkaJSConnectionClosedError' }))).toBe(true)
    expect(isCoordinatorLost(Object.assign(new Error('timed out'), { name: 'KafkaJSRequestTimeoutError' }))).toBe(true)
    expect(isCoordinatorLost(answered('NOT_COORDINATOR_FOR_GROUP'))).toBe(true)
    expect(isCoordinatorLost(answered('GROUP_COORDINATOR_NOT_AVAILABLE'))).toBe(true)
  })

  test('the cause of a wrapping error counts', () => {
    expect(isCoordinatorLost(Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', cause: refused() }))).toBe(true)
  })

  test('other failures do not', () => {
    expect(isCoordinatorLost(answered('REBALANCE_IN_PROGRESS'))).toBe(false)
    expect(isCoordinatorLost(answered('UNKNOWN_MEMBER_ID'))).toBe(false)
    expect(isCoordinatorLost(new Error('plain'))).toBe(false)
    expect(isCoordinatorLost(undefined)).toBe(false)
  })
})

describe('isGroupLoading', () => {
  test('a coordinator still loading the group is, a refused connection is not', () => {
    expect(isGroupLoading(answered('GROUP_LOAD_IN_PROGRESS'))).toBe(true)
    expect(isGroupLoading(refused())).toBe(false)
  })
})

describe('followCoordinator', () => {
  const noWait = { wait: async () => undefined }

  test('a call that succeeds is not retried and looks nothing up', async () => {
    let lookups = 0
    await expect(followCoordinator(async () => 'ok', async () => void lookups++, noWait)).resolves.toBe('ok')
    expect(lookups).toBe(0)
  })

  test('a lost coordinator is looked up again once and the call made again', async () => {
    const calls: string[] = []
    let coordinator = 'dead'
    const result = await followCoordinator(
      async () => {
        calls.push(coordinator)
        if (coordinator === 'dead') throw refused()
        return 'heartbeat answered'
      },
      async () => {
        coordinator = 'new'
      },
      noWait,
    )
    expect(result).toBe('heartbeat answered')
    expect(calls).toEqual(['dead', 'new'])
  })

  test('a coordinator still lost is looked up again after a backoff, and the loss after the last lookup is thrown to kafkajs', async () => {
    let lookups = 0
    let calls = 0
    const waits: number[] = []
    await expect(
      followCoordinator(
        async () => {
          calls++
          throw refused()
        },
        async () => void lookups++,
        { lookups: 3, lookupBackoffMs: 1_000, wait: async (ms) => void waits.push(ms) },
      ),
    ).rejects.toMatchObject({ name: 'KafkaJSConnectionError' })
    expect([calls, lookups]).toEqual([4, 3])
    expect(waits).toEqual([1_000, 1_000])
  })

  test('a failed lookup counts as one; once none is left the failure of the call is thrown, not the lookup', async () => {
    const failure = refused()
    let lookups = 0
    await expect(
      followCoordinator(
        async () => {
          throw failure
        },
        async () => {
          lookups++
          throw new Error('no coordinator yet')
        },
        { lookups: 2, ...noWait },
      ),
    ).rejects.toBe(failure)
    expect(lookups).toBe(2)
  })

  test('a lookup that fails and one that finds the new coordinator: the call goes on there', async () => {
    let coordinator = 'dead'
    let lookups = 0
    const result = await followCoordinator(
      async () => {
        if (coordinator === 'dead') throw refused()
        return `answered by ${coordinator}`
      },
      async () => {
        lookups++
        if (lookups === 1) throw new Error('the dead broker still leads the partition')
        coordinator = 'new'
      },
      noWait,
    )
    expect(result).toBe('answered by new')
  })

  test('other failures are thrown as they came, without a lookup', async () => {
    let lookups = 0
    const failure = answered('REBALANCE_IN_PROGRESS')
    await expect(
      followCoordinator(
        async () => {
          throw failure
        },
        async () => void lookups++,
        noWait,
      ),
    ).rejects.toBe(failure)
    expect(lookups).toBe(0)
  })

  test('a coordinator loading the group is asked again after each backoff, up to the retries', async () => {
    const waits: number[] = []
    let calls = 0
    const loadingThenAnswered = followCoordinator(
      async () => {
        calls++
        if (calls <= 3) throw answered('GROUP_LOAD_IN_PROGRESS')
        return 'joined'
      },
      async () => undefined,
      { backoffMs: 100, wait: async (ms) => void waits.push(ms) },
    )
    await expect(loadingThenAnswered).resolves.toBe('joined')
    expect(waits).toEqual([100, 100, 100])

    calls = 0
    const stillLoading = answered('GROUP_LOAD_IN_PROGRESS')
    await expect(
      followCoordinator(
        async () => {
          calls++
          throw stillLoading
        },
        async () => undefined,
        { loadingRetries: 2, ...noWait },
      ),
    ).rejects.toBe(stillLoading)
    expect(calls).toBe(3)
  })
})

describe("kafkajs's ConsumerGroup with the fix applied", () => {
  const require = createRequire(import.meta.url)
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as { prototype: { leave(): Promise<void> } }

  test('a member leaves through the coordinator found again when the one it knew is gone', async () => {
    expect(kafkajsFixesApplied()).toBe(true)
    const left: string[] = []
    const coordinatorAt = (name: string, alive: boolean) => ({
      name,
      leaveGroup: async ({ memberId }: { memberId: string }) => {
        if (!alive) throw refused()
        left.push(`${memberId} at ${name}`)
      },
    })
    const offsetManager = { coordinator: undefined as unknown }
    const group = Object.assign(Object.create(ConsumerGroup.prototype) as { leave(): Promise<void>; coordinator: { name: string } }, {
      groupId: 'billing',
      memberId: 'member-1',
      coordinator: coordinatorAt('broker-2', false),
      offsetManager,
      cluster: { findGroupCoordinator: async ({ groupId }: { groupId: string }) => (groupId === 'billing' ? coordinatorAt('broker-0', true) : undefined) },
    })
    await group.leave()
    expect(left).toEqual(['member-1 at broker-0'])
    expect(group.coordinator.name).toBe('broker-0')
    expect(offsetManager.coordinator).toBe(group.coordinator)
  })

  test("every request kafkajs sends its group coordinator on its own follows a moved one: heartbeat, commit, leave, and the offset manager's fetch of committed offsets", () => {
    const OffsetManager = require('kafkajs/src/consumer/offsetManager/index.js') as { prototype: Record<string, { followsCoordinator?: boolean }> }
    const group = ConsumerGroup.prototype as unknown as Record<string, { followsCoordinator?: boolean }>
    expect(['heartbeat', 'commitOffsets', 'leave'].map((name) => group[name]?.followsCoordinator)).toEqual([true, true, true])
    expect(OffsetManager.prototype.resolveOffsets?.followsCoordinator).toBe(true)
  })

  test('findCoordinatorAgain leaves a group that has not synced (no offset manager) with just its coordinator', async () => {
    const group = { groupId: 'g', coordinator: 'old' as unknown, offsetManager: null, cluster: { findGroupCoordinator: async () => 'new' } }
    await findCoordinatorAgain(group)
    expect(group.coordinator).toBe('new')
  })
})
