/** close(): a closed producer or consumer refuses to be used. */
import { expect, test } from 'vitest'
import { ClosedError } from '../../../core/log/errors.js'
import type { ContractContext } from './context.js'
import { bytes, errorOf, makeTopic, uniqueName } from './helpers.js'

export function closeTests(context: ContractContext): void {
  test('a closed producer rejects send with ClosedError', async () => {
    const topic = await makeTopic(context.log)
    const producer = context.producer()
    await producer.close()
    expect(await errorOf(() => producer.send([{ topic, partition: 0, value: bytes('late') }]))).toBeInstanceOf(ClosedError)
  })

  test('a closed transactional producer rejects beginTransaction with ClosedError', async () => {
    const producer = context.producer({ transactionalId: uniqueName('txn') })
    await producer.close()
    expect(await errorOf(() => producer.beginTransaction())).toBeInstanceOf(ClosedError)
  })

  test('the open transaction of a closed producer rejects send with ClosedError', async () => {
    const topic = await makeTopic(context.log)
    const producer = context.producer({ transactionalId: uniqueName('txn') })
    const transaction = await producer.beginTransaction()
    await producer.close()
    expect(await errorOf(() => transaction.send([{ topic, partition: 0, value: bytes('late') }]))).toBeInstanceOf(ClosedError)
  })

  test('a closed consumer rejects poll with ClosedError', async () => {
    const topic = await makeTopic(context.log)
    const consumer = context.consumer()
    await consumer.assign([{ topic, partition: 0 }])
    await consumer.close()
    expect(await errorOf(() => consumer.poll({ timeoutMs: 0 }))).toBeInstanceOf(ClosedError)
  })

  test('a closed group member rejects commit with ClosedError', async () => {
    const topic = await makeTopic(context.log)
    const consumer = context.consumer({ groupId: uniqueName('group') })
    await consumer.subscribe([topic])
    await consumer.close()
    expect(await errorOf(() => consumer.commit([{ topic, partition: 0, offset: 0 }]))).toBeInstanceOf(ClosedError)
  })
}
