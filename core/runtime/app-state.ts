/**
 * Where an app is in its life, as Kafka Streams' `KafkaStreams.State`: CREATED before start,
 * REBALANCING while it joins its group or its partitions move, RESTORING while stores fill from
 * their changelogs, RUNNING, PENDING_SHUTDOWN once stop is asked, NOT_RUNNING once stopped, and
 * ERROR after a failure stopped it.
 */
export type AppState = 'CREATED' | 'REBALANCING' | 'RESTORING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'ERROR'

/** States an app only leaves for NOT_RUNNING (or ERROR), or never. */
const FINAL: Readonly<Record<AppState, readonly AppState[] | undefined>> = {
  CREATED: undefined,
  REBALANCING: undefined,
  RESTORING: undefined,
  RUNNING: undefined,
  PENDING_SHUTDOWN: ['NOT_RUNNING', 'ERROR'],
  NOT_RUNNING: [],
  ERROR: [],
}

/**
 * Whether an app may go from `from` to `to`: a stopping app does not go back to RUNNING when a
 * rebalance it was in finishes, and a stopped or failed one stays so.
 *
 * @example
 * canMove('PENDING_SHUTDOWN', 'RUNNING') // false
 */
export function canMove(from: AppState, to: AppState): boolean {
  const allowed = FINAL[from]
  return allowed === undefined || allowed.includes(to)
}

/**
 * Alive: the process is worth keeping (a liveness probe restarts it otherwise): not failed and
 * not stopped.
 *
 * @example
 * isLive('RESTORING') // true
 */
export function isLive(state: AppState): boolean {
  return state !== 'ERROR' && state !== 'NOT_RUNNING'
}

/**
 * Ready: it processes records now (a readiness probe sends it work, or counts it in).
 *
 * @example
 * isReady('REBALANCING') // false
 */
export function isReady(state: AppState): boolean {
  return state === 'RUNNING'
}
