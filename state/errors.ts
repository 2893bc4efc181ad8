/**
 * Errors of the state layer: stores, their shards and the storage engines under them. Each
 * carries a stable `code` (listed in the README) and the directory or store it concerns.
 *
 * @example
 * try { await rocksdbStores().open(dir) }
 * catch (err) { if (err instanceof StateStoreLockedError) … } // err.code === 'TRIBUTARY_STATE_LOCKED'
 */
import { TributaryError } from '../core/errors.js'

/**
 * Another process (or another open in this one) holds the shard's directory: RocksDB's LOCK
 * file is taken. Retriable: during a rebalance the previous owner lets go once it closes.
 */
export class StateStoreLockedError extends TributaryError {
  readonly dir: string
  constructor(dir: string, cause: unknown) {
    super(
      'TRIBUTARY_STATE_LOCKED',
      `state directory ${dir} is in use by another store (its LOCK file is held); close that store or stop the process that owns it`,
      { retriable: true, cause },
    )
    this.dir = dir
  }
}

/** A shard's storage could not be opened for another reason (permissions, corruption, disk full). */
export class StateStoreOpenError extends TributaryError {
  readonly dir: string
  constructor(dir: string, cause: unknown) {
    super('TRIBUTARY_STATE_OPEN', `cannot open state directory ${dir}: ${messageOf(cause)}`, { cause })
    this.dir = dir
  }
}

/** A read or write on a closed shard. */
export class StateStoreClosedError extends TributaryError {
  readonly dir: string
  constructor(dir: string, operation: string) {
    super('TRIBUTARY_STATE_CLOSED', `${operation} on the closed state store in ${dir}`)
    this.dir = dir
  }
}

/** The storage engine failed a read, write or flush; the shard should be closed and restored. */
export class StateStoreIoError extends TributaryError {
  readonly dir: string
  readonly operation: string
  constructor(dir: string, operation: string, cause: unknown) {
    super('TRIBUTARY_STATE_IO', `${operation} failed on the state store in ${dir}: ${messageOf(cause)}`, { cause })
    this.dir = dir
    this.operation = operation
  }
}

/** A time given to a window or session store is unusable (not an integer, NaN, a session ending before it starts). */
export class StateTimestampError extends TributaryError {
  readonly store: string
  readonly field: string
  readonly value: number
  constructor(store: string, field: string, value: number, reason: string) {
    super('TRIBUTARY_STATE_TIMESTAMP', `store ${store}: ${field} ${reason}, got ${value}`)
    this.store = store
    this.field = field
    this.value = value
  }
}

/** Another process (or another app instance in this one) holds the app's state directory. */
export class StateDirectoryLockedError extends TributaryError {
  constructor(
    readonly dir: string,
    readonly ownerPid: number | undefined,
  ) {
    super(
      'TRIBUTARY_STATE_DIR_LOCKED',
      `state directory ${dir} is in use by process ${ownerPid ?? 'unknown'}: another instance of this app runs on the same state; stop it, or give this instance its own stateDir`,
    )
  }
}

/** `app.store(name)` names no store of the app, or a store of another kind. */
export class UnknownStoreError extends TributaryError {
  constructor(
    readonly store: string,
    known: readonly string[],
  ) {
    super('TRIBUTARY_UNKNOWN_STORE', `no store named ${JSON.stringify(store)} in this app; its stores are: ${known.length > 0 ? known.join(', ') : '(none)'}`)
  }
}

/** The partition a key belongs to is not hosted here (another instance has it, or it is restoring). */
export class StoreNotLocalError extends TributaryError {
  constructor(
    readonly store: string,
    readonly partition: number,
    reason: string,
  ) {
    super('TRIBUTARY_STORE_NOT_LOCAL', `store ${store}: partition ${partition} ${reason}`, { retriable: true })
  }
}

/**
 * The app's topology changed in a way that would orphan or misread the state it wrote before
 * (a store removed or renamed, its serdes changed). The message names each change.
 */
export class IncompatibleStateError extends TributaryError {
  constructor(readonly changes: readonly string[]) {
    super(
      'TRIBUTARY_INCOMPATIBLE_STATE',
      `the app's state was written by a different topology, and starting would orphan or misread it:\n  - ${changes.join('\n  - ')}\nkeep the old store names and serdes, or, to drop that state on purpose, start once with resetState: true`,
    )
  }
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}
