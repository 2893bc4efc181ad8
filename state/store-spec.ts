import { ConfigError } from '../core/errors.js'
import type { Serde, SerdeContext } from '../core/serde/types.js'

/** What a store holds and how it is laid out: declared by the operator that owns it. */
export type StoreSpec = KeyValueStoreSpec | WindowStoreSpec | SessionStoreSpec

interface BaseStoreSpec {
  /** The store's stable name (from the user, never from an operator's position). */
  readonly name: string
  readonly key: Serde<unknown>
  readonly value: Serde<unknown>
  /** Caching (absorbing repeated updates between commits). Default true. */
  readonly cache?: boolean
}

export interface KeyValueStoreSpec extends BaseStoreSpec {
  readonly kind: 'key-value'
}

export interface WindowStoreSpec extends BaseStoreSpec {
  readonly kind: 'window'
  readonly windowSizeMs: number
  readonly retentionMs: number
  /** The operator moves stream time (`advanceStreamTime`) rather than the puts. */
  readonly streamTimeFromCaller?: boolean
  /** Every live window is kept in memory too (see LoggedWindowStore's `resident`). */
  readonly resident?: boolean
}

export interface SessionStoreSpec extends BaseStoreSpec {
  readonly kind: 'session'
  readonly retentionMs: number
  /** The operator moves stream time (`advanceStreamTime`) rather than the puts. */
  readonly streamTimeFromCaller?: boolean
}

/** A store's serdes with the contexts their errors name (the changelog topic). */
export interface LogSerdes<K, V> {
  readonly key: Serde<K>
  readonly value: Serde<V>
  readonly keyContext: SerdeContext
  readonly valueContext: SerdeContext
}

/** The changelog topic of a store: `<app id>-<store>-changelog`. */
export function changelogTopic(appId: string, store: string): string {
  return `${appId}-${store}-changelog`
}

/** A store name is part of topic and directory names: the same characters as an app id. */
export function checkStoreName(name: string): void {
  if (!/^[a-zA-Z0-9._-]{1,150}$/.test(name)) {
    throw new ConfigError('store name', `must be 1 to 150 characters of [a-zA-Z0-9._-] (it names the changelog topic and a directory), got ${JSON.stringify(name)}`)
  }
}
