import type { Serde } from '../serde/types.js'
import { json } from '../serde/json.js'
import { checkStoreName, type KeyValueStoreSpec } from '../../state/store-spec.js'

/**
 * Names a store (and the internal topics made for it): the stable name its state is found
 * by. Give each stateful operation one, so adding operators never orphans state.
 *
 * @example
 * words.groupByKey().count(named('word-counts'))
 */
export function named(name: string): { readonly name: string } {
  checkStoreName(name)
  return { name }
}

/** A store's name, serdes (JSON by default) and whether it caches (default true). */
export interface StoreOptions<K, V> {
  readonly name: string
  readonly key?: Serde<K>
  readonly value?: Serde<V>
  /** Absorb repeated updates of a key between commits (and forward only the last). Default true. */
  readonly cache?: boolean
}

/** The spec of a key-value store from what the user gave. */
export function keyValueSpec<K, V>(options: StoreOptions<K, V>, defaults: { readonly key?: Serde<K> | undefined; readonly value?: Serde<V> | undefined } = {}): KeyValueStoreSpec {
  checkStoreName(options.name)
  const key = (options.key ?? defaults.key ?? json()) as Serde<unknown>
  const value = (options.value ?? defaults.value ?? json()) as Serde<unknown>
  return { kind: 'key-value', name: options.name, key, value, ...(options.cache === undefined ? {} : { cache: options.cache }) }
}
