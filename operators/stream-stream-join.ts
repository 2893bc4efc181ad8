import type { OperatorFunction } from 'rxjs'
import { LateRecordError } from '../core/runtime/errors.js'
import type { JoinKind, JoinSide, JoinWindows, StreamJoinStores } from '../core/runtime/join-windows.js'
import type { StreamRecord } from '../core/runtime/record.js'
import type { TopologyNode } from '../core/runtime/topology.js'
import type { CachedKeyValueStore } from '../state/key-value-store.js'
import { MISS } from '../state/logged-bytes-store.js'
import type { LoggedWindowStore } from '../state/window-store.js'
import { joinInputs, isMissing, type SidedRecord } from './internal/join-inputs.js'
import type { UnmatchedKey, UnmatchedValues } from './internal/join-serdes.js'
import { UnmatchedRecords } from './internal/join-unmatched.js'
import { KeyedQueue } from './internal/keyed-queue.js'
import { keyIdentity } from './internal/ordered-async.js'

/** What a stream-stream join needs: its kind, the other stream, its window, stores and joiner. */
export interface StreamStreamJoin<K, VL, VR, VO> {
  readonly kind: JoinKind
  readonly other: TopologyNode
  readonly windows: JoinWindows
  readonly stores: StreamJoinStores
  /** Called with null for the missing side of an unmatched record (left and outer joins). */
  readonly joiner: (left: VL | null, right: VR | null, key: K) => VO
  /** Identifies a key by its serialized bytes (for the unmatched records). */
  readonly identify: (key: K) => string
}

interface Item {
  readonly side: JoinSide
  readonly record: StreamRecord<unknown, unknown>
  /** Stream time when the record arrived: what decides whether it is late. */
  readonly streamTime: number
}

type Values = readonly unknown[]

/**
 * Kafka Streams' windowed KStream-KStream join. Each record is kept in its side's window store
 * and joined with the other side's records of its key whose timestamps are within the window
 * (`|t1 - t2|` within before/after), as records arrive from either side; a joined record has the
 * later of the two timestamps. A left join also emits `(left, null)` for a left record that found
 * no match, an outer join `(null, right)` too, once the record's window has closed (not eagerly,
 * as since Kafka 3.1): such records wait in the `<name>-unmatched` store. A record too late for
 * its own window (its end plus grace passed) is dropped and counted. Records with a null key or
 * value are skipped. Used through `stream.join(other, joiner, window, options)`, `leftJoin` and
 * `outerJoin`, which declare the stores.
 *
 * @example
 * orders.leftJoin(payments, (order, payment) => ({ order, paid: payment !== null }), joinWindow('10m'), { name: 'order-payments' })
 */
export function streamStreamJoin<K, VL, VR, VO>(spec: StreamStreamJoin<K, VL, VR, VO>): OperatorFunction<StreamRecord<K, VL>, StreamRecord<K, VO>> {
  const { kind, windows, stores: specs, joiner } = spec
  const name = `${kind === 'inner' ? 'join' : `${kind}Join`}(${specs.name}, ${windows.name})`
  const joined = (side: JoinSide, value: unknown, other: unknown, key: unknown): VO =>
    side === 'left' ? joiner(value as VL | null, other as VR | null, key as K) : joiner(other as VL | null, value as VR | null, key as K)
  /** How far past a record's timestamp its window reaches: the end it closes at, before grace. */
  const reach = (side: JoinSide): number => (side === 'left' ? windows.afterMs : windows.beforeMs)
  const keeps = (side: JoinSide): boolean => kind === 'outer' || (kind === 'left' && side === 'left')
  const operator = joinInputs<StreamRecord<K, VO>>(
    name,
    spec.other,
    (emit, context) => {
      if (context === undefined) throw new Error(`${name} keeps its records in stores, so it runs only inside a Tributary pipeline`)
      const stores = { left: context.store<LoggedWindowStore<unknown, Values>>(specs.left.name), right: context.store<LoggedWindowStore<unknown, Values>>(specs.right.name) }
      const unmatched = specs.unmatched && new UnmatchedRecords<K>(context.store<CachedKeyValueStore<UnmatchedKey<K>, UnmatchedValues>>(specs.unmatched.name), windows, spec.identify)
      const inProcess = new KeysInProcess()
      let restored = unmatched === undefined
      /** Emits the unmatched records whose window closed, but not those of keys with records still in process (one may match). */
      const release = (): void => {
        if (unmatched === undefined || !restored) return
        for (const held of unmatched.takeClosed(context.streamTime, (key) => inProcess.has(key))) {
          for (const value of held.values) {
            try {
              emit({ key: held.key, value: joined(held.side, value, null, held.key), timestamp: held.timestamp, headers: [], topic: '', partition: context.partition, offset: -1 })
            } catch (error) {
              context.processingError(error, undefined, name)
            }
          }
        }
      }
      // What an earlier run held comes back from the store before any record is joined.
      const restoring = (async (): Promise<void> => {
        if (unmatched === undefined) return
        const done = context.track(undefined)
        try {
          await unmatched.restore()
        } catch (error) {
          context.processingError(error, undefined, name)
        } finally {
          restored = true
          release()
          done()
        }
      })()
      const join = async ({ side, record, streamTime }: Item): Promise<void> => {
        await restoring
        const { key, timestamp } = record
        if (timestamp + reach(side) + windows.graceMs < streamTime) {
          context.lateRecord(record, new LateRecordError(name, timestamp, streamTime), undefined)
          return
        }
        // Buffered records expire by the stream time every record has been handled to, never past one in flight.
        for (const store of Object.values(stores)) store.advanceStreamTime(context.settledStreamTime)
        const own = stores[side]
        const current = own.peek(key, timestamp)
        const values = current === MISS ? await own.fetch(key, timestamp) : current
        own.put(key, timestamp, [...(values ?? []), record.value])
        const otherSide: JoinSide = side === 'left' ? 'right' : 'left'
        const from = timestamp - (side === 'left' ? windows.beforeMs : windows.afterMs)
        let matched = false
        for await (const { window, value: others } of stores[otherSide].fetchRange(key, from, timestamp + reach(side))) {
          matched = true
          unmatched?.remove(otherSide, key as K, window.start)
          for (const other of others) emit({ ...record, key: key as K, value: joined(side, record.value, other, key), timestamp: Math.max(timestamp, window.start) })
        }
        if (!matched && keeps(side)) unmatched?.add(side, key as K, timestamp, record.value)
      }
      const queue = new KeyedQueue<Item>(context, name, (item) => item.record, async (item) => {
        try {
          await join(item)
        } finally {
          inProcess.done(item.record.key)
          release()
        }
      })
      // Stream time also moves without records of this join (other inputs of the task, the idle timeout).
      context.onStreamTimeAdvance(release)
      return ({ side, record }: SidedRecord) => {
        // Records without a key or value are skipped, as in Kafka Streams.
        if (isMissing(record.key) || isMissing(record.value)) return
        inProcess.add(record.key)
        queue.push(record.key, { side, record, streamTime: context.streamTimeOf(record) })
      }
    },
    { stores: [specs.left, specs.right, ...(specs.unmatched ? [specs.unmatched] : [])] },
  )
  return operator as OperatorFunction<StreamRecord<K, VL>, StreamRecord<K, VO>>
}

/** How many records of each key were taken and are not joined yet (keys compare by content, as in KeyedQueue). */
class KeysInProcess {
  private readonly counts = new Map<unknown, number>()

  add(key: unknown): void {
    const identity = keyIdentity(key)
    this.counts.set(identity, (this.counts.get(identity) ?? 0) + 1)
  }

  done(key: unknown): void {
    const identity = keyIdentity(key)
    const count = (this.counts.get(identity) ?? 1) - 1
    if (count === 0) this.counts.delete(identity)
    else this.counts.set(identity, count)
  }

  has(key: unknown): boolean {
    return this.counts.has(keyIdentity(key))
  }
}
