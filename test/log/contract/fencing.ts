/** Zombie fencing: a newer producer with the same transactionalId stops the older one. */
import { expect, test } from 'vitest'
import { ProducerFencedError } from '../../../core/log/errors.js'
import type { ContractContext } from './context.js'
import { bytes, consumerOfPartition0, drainUntilValue, errorOf, makeTopic, uniqueName, valuesOf } from './helpers.js'

export function fencingTests(context: ContractContext): void {
  /** A zombie with an open transaction holding 'zombie', fenced by a successor that has begun its own. */
  async function fencedZombie() {
    const topic = await makeTopic(context.log)
    const transactionalId = uniqueName('txn')
    const zombie = await context.producer({ transactionalId }).beginTransaction()
    await zombie.send([{ topic, partition: 0, value: bytes('zombie') }])
    const successor = await context.producer({ transactionalId }).beginTransaction()
    return { topic, zombie, successor }
  }

  test('a producer fenced by a newer one with the same transactionalId fails its next send with ProducerFencedError', async () => {
    const { topic, zombie } = await fencedZombie()
    const error = await errorOf(() => zombie.send([{ topic, partition: 0, value: bytes('zombie-again') }]))
    expect(error).toBeInstanceOf(ProducerFencedError)
  })

  test('a producer fenced by a newer one with the same transactionalId fails its commit with ProducerFencedError', async () => {
    const { zombie } = await fencedZombie()
    expect(await errorOf(() => zombie.commit())).toBeInstanceOf(ProducerFencedError)
  })

  test("a fenced producer's open transaction is aborted: read_committed consumers never see its records", async () => {
    const { topic, zombie, successor } = await fencedZombie()
    // Whatever the zombie tries afterwards must not make its records visible.
    await errorOf(() => zombie.commit())
    await successor.send([{ topic, partition: 0, value: bytes('successor') }])
    await successor.commit()
    const consumer = await consumerOfPartition0(context, topic, 'read_committed')
    expect(valuesOf(await drainUntilValue(consumer, 'successor'))).toEqual(['successor'])
  })
}
