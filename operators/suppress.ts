import { lowerBound } from '../core/sorted.js'
import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { Windowed } from '../core/time/windows.js'
import type { CachedKeyValueStore } from '../state/key-value-store.js'
import type { KeyValueStoreSpec } from '../state/store-spec.js'
import { operate } from './internal/operate.js'

/** How `suppress` holds results back: until the window closes (the only strategy for now). */
export interface UntilWindowCloses {
  readonly kind: 'untilWindowCloses'
  /** Names the buffer's store (default `<the table's store>-suppress`). */
  readonly name?: string
}

/**
 * Holds a windowed table's updates back and emits one final result per window, once stream
 * time has passed the window's end plus its grace period (Kafka Streams'
 * `Suppressed.untilWindowCloses`).
 *
 * @example
 * counts.suppress(untilWindowCloses()).toStream().to('final-counts', { key: serdes.windowed(serdes.string()), value: serdes.float64() })
 */
export function untilWindowCloses(options: { readonly name?: string } = {}): UntilWindowCloses {
  return { kind: 'untilWindowCloses', ...(options.name === undefined ? {} : { name: options.name }) }
}

/** What the buffer remembers of a held-back update. */
export interface Held<V> {
  readonly value: V
  readonly timestamp: number
}

interface Pending<K, V> {
  readonly key: Windowed<K>
  held: Held<V>
}

/**
 * The operator under `table.suppress(untilWindowCloses())`: the latest update of each window is
 * kept in memory and in a changelogged store (so a restart emits what was held), and emitted
 * when the task's stream time reaches the window's end plus grace. A window's final result is
 * emitted once; an update of a window that already closed is dropped.
 *
 * @example
 * windowedCounts.pipe(suppressUntilWindowCloses(windows.graceMs, bufferSpec, identity))
 */
export function suppressUntilWindowCloses<K, V>(closesAfterEndMs: number, buffer: KeyValueStoreSpec, identify: (key: Windowed<K>) => string): OperatorFunction<StreamRecord<Windowed<K>, V | null>, StreamRecord<Windowed<K>, V | null>> {
  const name = `suppress(untilWindowCloses, ${buffer.name})`
  return operate<StreamRecord<Windowed<K>, V | null>, StreamRecord<Windowed<K>, V | null>>(
    name,
    (emit, context) => {
      if (context === undefined) throw new Error(`${name} keeps its buffer in a store, so it runs only inside a Tributary pipeline`)
      const store = context.store<CachedKeyValueStore<Windowed<K>, Held<V>>>(buffer.name)
      /** Held updates by window end, ends in ascending order. */
      const byEnd = new Map<number, Map<string, Pending<K, V>>>()
      const ends: number[] = []
      let closedBefore = -Infinity
      const hold = (key: Windowed<K>, held: Held<V>): void => {
        const end = key.window.end
        let window = byEnd.get(end)
        if (window === undefined) {
          window = new Map()
          byEnd.set(end, window)
          ends.splice(lowerBound(ends, end), 0, end)
        }
        const id = identify(key)
        const pending = window.get(id)
        if (pending === undefined) window.set(id, { key, held })
        else pending.held = held
      }
      const unhold = (key: Windowed<K>): boolean => {
        const window = byEnd.get(key.window.end)
        return window?.delete(identify(key)) ?? false
      }
      const release = (): void => {
        // Not past records still being handled upstream: they may yet update an open window.
        let streamTime = context.settledStreamTime
        if (ends.length === 0 || ends[0]! + closesAfterEndMs > streamTime) return
        // Nor past updates a cache upstream holds back until the commit (or an eviction).
        streamTime = Math.min(streamTime, context.oldestHeldBack())
        while (ends.length > 0 && ends[0]! + closesAfterEndMs <= streamTime) {
          const end = ends.shift()!
          closedBefore = Math.max(closedBefore, end)
          for (const { key, held } of byEnd.get(end)!.values()) {
            store.delete(key)
            emit({ key, value: held.value, timestamp: held.timestamp, headers: [], topic: '', partition: context.partition, offset: -1 })
          }
          byEnd.delete(end)
        }
      }
      // Held updates of an earlier run come back from the store before new ones are taken.
      let restored = false
      const early: StreamRecord<Windowed<K>, V | null>[] = []
      /** Holds (or, for a tombstone, forgets) a window's update; `release` then emits what closed. */
      const take = (record: StreamRecord<Windowed<K>, V | null>): void => {
        if (record.key.window.end <= closedBefore) return
        if (record.value === null) {
          // A window that is gone (a session merged into a larger one): nothing to emit for it.
          if (unhold(record.key)) store.delete(record.key)
          return
        }
        const held = { value: record.value, timestamp: record.timestamp }
        store.put(record.key, held)
        hold(record.key, held)
      }
      // Stream time also moves without records reaching here (other keys, the idle timeout).
      context.onStreamTimeAdvance(() => {
        if (restored) release()
      })
      const done = context.track(undefined)
      void (async () => {
        try {
          for await (const { key, value } of store.all()) hold(key, value)
        } catch (error) {
          context.processingError(error, undefined, name)
        } finally {
          restored = true
          // Stream time has moved on meanwhile: every early update is held before any window is released.
          for (const record of early.splice(0)) take(record)
          release()
          done()
        }
      })()
      return (record) => {
        if (!restored) {
          early.push(record)
          return
        }
        take(record)
        release()
      }
    },
    { stores: [buffer] },
  )
}
