/**
 * A consumer group's coordinator is the broker leading one partition of `__consumer_offsets`.
 * When that broker dies, or the leadership moves, Java's consumer marks its coordinator unknown,
 * looks it up again and goes on as the same member: the new coordinator loaded the group, its
 * members and generation included, from `__consumer_offsets`. kafkajs looks its coordinator up
 * only when it joins. Its heartbeats, commits and LeaveGroup keep going to the old broker until
 * its retries run out; then it restarts as a new member, whose join waits for the member it was
 * to expire (the session timeout, 45 s by default): about a minute without a consumer.
 * `kafkajs-fixes.ts` makes a kafkajs consumer group's heartbeat, commit, leave and fetch of
 * committed offsets look the coordinator up again after a failure that says it is gone or
 * moved, and try again, waiting while the new coordinator loads the group (kafkajs's retries
 * would be spent on that, and it would restart all the same).
 *
 * @example
 * await followCoordinator(() => group.heartbeat({ interval }), () => findCoordinatorAgain(group))
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { hasKafkaErrorType } from './errors.js'

/** kafkajs's names for the errors of a broker that cannot be reached (refused, closed, timed out). */
const UNREACHABLE = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError'])
/** Kafka's answers from a broker that is not (or not yet) the group's coordinator, as kafkajs names them. */
const NOT_COORDINATOR = new Set(['NOT_COORDINATOR_FOR_GROUP', 'GROUP_COORDINATOR_NOT_AVAILABLE'])

/**
 * Whether `error` (or what caused it) says the coordinator it went to is gone or no longer the
 * coordinator: a connection failure, or NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE.
 *
 * @example
 * isCoordinatorLost(Object.assign(new Error('refused'), { name: 'KafkaJSConnectionError' })) // true
 */
export function isCoordinatorLost(error: unknown): boolean {
  for (let cause = error, depth = 0; typeof cause === 'object' && cause !== null && depth < 8; cause = (cause as { cause?: unknown }).cause, depth++) {
    const { name, type } = cause as { name?: unknown; type?: unknown }
    if ((typeof name === 'string' && UNREACHABLE.has(name)) || (typeof type === 'string' && NOT_COORDINATOR.has(type))) return true
  }
  return false
}

/** The wait between tries while a new coordinator loads the group, as Java's `retry.backoff.ms`. */
export const GROUP_LOADING_BACKOFF_MS = 100
/** Tries while a coordinator loads the group (about ten seconds of them) before kafkajs's own retries take over. */
export const GROUP_LOADING_RETRIES = 100
/**
 * Lookups of a lost coordinator before kafkajs's own retries take over. A lookup right after a
 * broker died may find that broker still leading the partition (it is fenced only after
 * `broker.session.timeout.ms`, 9 s by default) and kafkajs's lookup retries for about as long.
 */
export const COORDINATOR_LOOKUPS = 3
/** The wait before looking a lost coordinator up again. */
export const COORDINATOR_LOOKUP_BACKOFF_MS = 1_000

/** Whether `error` is the answer of a coordinator still loading the group (COORDINATOR_LOAD_IN_PROGRESS). */
export function isGroupLoading(error: unknown): boolean {
  return hasKafkaErrorType(error, 'GROUP_LOAD_IN_PROGRESS')
}

export interface FollowOptions {
  /** Lookups of a lost coordinator (COORDINATOR_LOOKUPS). */
  readonly lookups?: number
  /** The wait before a lookup after the first (COORDINATOR_LOOKUP_BACKOFF_MS). */
  readonly lookupBackoffMs?: number
  /** The wait between tries while the coordinator loads the group (GROUP_LOADING_BACKOFF_MS). */
  readonly backoffMs?: number
  /** Tries while the coordinator loads the group (GROUP_LOADING_RETRIES). */
  readonly loadingRetries?: number
  readonly wait?: (ms: number) => Promise<unknown>
}

/**
 * Calls `call`; when it fails because its coordinator is lost, looks the coordinator up again
 * (`findAgain`, up to `lookups` times, `lookupBackoffMs` apart) and calls it again, every
 * `backoffMs` while the coordinator answers that it is loading the group (up to `loadingRetries`
 * times). Any other failure, or the loss that remains after the last lookup, is thrown as it
 * came: kafkajs's own retries go on from there.
 *
 * @example
 * await followCoordinator(() => group.leave(), () => findCoordinatorAgain(group), { lookups: 1 }) // the member leaves the broker that coordinates it now
 */
export async function followCoordinator<T>(call: () => Promise<T>, findAgain: () => Promise<void>, options: FollowOptions = {}): Promise<T> {
  const { lookups = COORDINATOR_LOOKUPS, lookupBackoffMs = COORDINATOR_LOOKUP_BACKOFF_MS, backoffMs = GROUP_LOADING_BACKOFF_MS, loadingRetries = GROUP_LOADING_RETRIES } = options
  const wait = options.wait ?? ((ms: number) => sleep(ms))
  let looked = 0
  let loading = 0
  for (;;) {
    try {
      return await call()
    } catch (error) {
      if (isGroupLoading(error) && loading < loadingRetries) {
        loading++
        await wait(backoffMs)
        continue
      }
      if (!isCoordinatorLost(error)) throw error
      // Until a lookup finds a coordinator that answers; one that fails (no coordinator yet) counts too.
      for (;;) {
        if (looked >= lookups) throw error
        if (looked > 0) await wait(lookupBackoffMs)
        looked++
        try {
          await findAgain()
          break
        } catch {
          // The coordinator's partition is still moving: look again, or throw the call's failure.
        }
      }
    }
  }
}

/** What of a kafkajs ConsumerGroup (or of its OffsetManager, which has no offset manager) the lookup touches (untyped in kafkajs). */
export interface KafkaJsConsumerGroup {
  readonly groupId: string
  readonly cluster: { findGroupCoordinator(args: { groupId: string }): Promise<unknown> }
  coordinator: unknown
  /** Set once the group has synced; it commits through its own reference to the coordinator. */
  offsetManager?: { coordinator: unknown } | null
}

/**
 * Looks the group's coordinator up again (kafkajs's lookup retries while the coordinator's
 * partition has no leader) and gives it to the group and to its offset manager, if it has one.
 *
 * @example
 * await findCoordinatorAgain(consumerGroup)
 */
export async function findCoordinatorAgain(group: KafkaJsConsumerGroup): Promise<void> {
  const coordinator = await group.cluster.findGroupCoordinator({ groupId: group.groupId })
  group.coordinator = coordinator
  if (group.offsetManager) group.offsetManager.coordinator = coordinator
}
