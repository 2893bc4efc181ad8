import { describe, expect, it } from 'vitest'
import type { ProducerRecord, RecordMetadata } from '../../core/log/types.js'
import { SendLane, type SendTarget } from '../../core/runtime/send-lane.js'

/** A target whose sends stay open until the test settles them, in order. */
class ManualTarget implements SendTarget {
  readonly sends: { records: readonly ProducerRecord[]; resolve: () => void; reject: (error: unknown) => void }[] = []

  send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    return new Promise((resolve, reject) => this.sends.push({ records, resolve: () => resolve([]), reject }))
  }

  valuesOf(index: number): string[] {
    return this.sends[index]!.records.map((record) => record.value!.toString())
  }
}

const recordsOf = (...values: string[]): ProducerRecord[] => values.map((value) => ({ topic: 'out', value: Buffer.from(value) }))
/** Lets the promise callbacks queued so far run. */
const callbacks = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('SendLane', () => {
  it('sends at once when nothing is in flight, and queues what comes meanwhile for one next send, in order', async () => {
    const target = new ManualTarget()
    const written: string[] = []
    const lane = new SendLane((records) => written.push(...records.map((record) => record.value!.toString())), 100)
    await lane.add(target, recordsOf('a', 'b'))
    await lane.add(target, recordsOf('c'))
    await lane.add(target, recordsOf('d'))
    expect(target.sends).toHaveLength(1)
    target.sends[0]!.resolve()
    await callbacks()
    expect(target.sends).toHaveLength(2)
    expect(target.valuesOf(1)).toEqual(['c', 'd'])
    const settled = lane.settled()
    target.sends[1]!.resolve()
    await settled
    expect(written).toEqual(['a', 'b', 'c', 'd'])
    expect(lane.idle).toBe(true)
  })

  it('waits for the send in flight once maxQueued records are queued behind it', async () => {
    const target = new ManualTarget()
    const lane = new SendLane(() => undefined, 2)
    await lane.add(target, recordsOf('a'))
    let returned = false
    const adding = lane.add(target, recordsOf('b', 'c')).then(() => (returned = true))
    await callbacks()
    expect(returned).toBe(false)
    target.sends[0]!.resolve()
    await adding
    expect(target.valuesOf(1)).toEqual(['b', 'c'])
  })

  it('reports a failed send once, to the next add or settled, dropping what was queued behind it', async () => {
    const target = new ManualTarget()
    const lane = new SendLane(() => undefined, 100)
    await lane.add(target, recordsOf('a'))
    await lane.add(target, recordsOf('b'))
    const failure = new Error('broker gone')
    target.sends[0]!.reject(failure)
    await expect(lane.settled()).rejects.toBe(failure)
    expect(target.sends).toHaveLength(1)
    expect(lane.idle).toBe(true)
    await lane.add(target, recordsOf('c'))
    expect(target.valuesOf(1)).toEqual(['c'])
  })

  it("sends a new target's records only after everything for the previous one", async () => {
    const first = new ManualTarget()
    const second = new ManualTarget()
    const lane = new SendLane(() => undefined, 100)
    await lane.add(first, recordsOf('a'))
    await lane.add(first, recordsOf('b'))
    const adding = lane.add(second, recordsOf('c'))
    first.sends[0]!.resolve()
    await callbacks()
    expect(second.sends).toHaveLength(0)
    first.sends[1]!.resolve()
    await adding
    expect(second.valuesOf(0)).toEqual(['c'])
  })
})
