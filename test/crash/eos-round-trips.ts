/**
 * A `Log` decorator that gives the embedded log a broker's round trips: a poll that returns
 * records, each send and offset commit inside a transaction, and each transaction commit take
 * a few milliseconds, as they would against Kafka. Everything still happens in the real log.
 *
 * Why: in process, the app would do the whole input in well under a second, so kills at
 * random moments would bunch at its start; and a transaction whose records go in just before
 * its commit would be open with records in the log for microseconds only. With round trips
 * the run takes seconds, and a transaction stays open (records written, no marker yet) for a
 * share of it that kills at random moments hit often, as they would in production.
 *
 * @example
 * const app = new App({ id, log: withRoundTrips(log, { fetchMs: 4, ackMs: 2 }, (id, records) => print(`commit ${id} ${records}`)), processing: 'exactly_once' })
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Consumer, Log, Producer, Transaction } from '../../core/log/types.js'

export interface RoundTrips {
  /** Added to a poll that returns records. */
  readonly fetchMs: number
  /** Added to each send and sendOffsets of a transaction, and before its commit. */
  readonly ackMs: number
}

/** Called after a transaction committed, with its transactional id and how many records it sent. */
export type CommitListener = (transactionalId: string, records: number) => void

export function withRoundTrips(log: Log, roundTrips: RoundTrips, onCommit: CommitListener): Log {
  return {
    backend: log.backend,
    createTopic: (name, config) => log.createTopic(name, config),
    deleteTopic: (name) => log.deleteTopic(name),
    listTopics: () => log.listTopics(),
    describeTopic: (name) => log.describeTopic(name),
    deleteRecords: (offsets) => log.deleteRecords(offsets),
    producer: (options) => slowProducer(log.producer(options), options?.transactionalId ?? '', roundTrips, onCommit),
    consumer: (options) => slowConsumer(log.consumer(options), roundTrips),
    close: () => log.close(),
  }
}

function slowConsumer(consumer: Consumer, roundTrips: RoundTrips): Consumer {
  const poll: Consumer['poll'] = async (options) => {
    const records = await consumer.poll(options)
    if (records.length > 0) await sleep(roundTrips.fetchMs)
    return records
  }
  return delegate(consumer, { poll })
}

function slowProducer(producer: Producer, transactionalId: string, roundTrips: RoundTrips, onCommit: CommitListener): Producer {
  const beginTransaction: Producer['beginTransaction'] = async () => slowTransaction(await producer.beginTransaction(), transactionalId, roundTrips, onCommit)
  return delegate(producer, { beginTransaction })
}

function slowTransaction(transaction: Transaction, transactionalId: string, roundTrips: RoundTrips, onCommit: CommitListener): Transaction {
  let records = 0
  return {
    send: async (batch) => {
      const metadata = await transaction.send(batch)
      records += batch.length
      await sleep(roundTrips.ackMs)
      return metadata
    },
    sendOffsets: async (groupId, offsets) => {
      await transaction.sendOffsets(groupId, offsets)
      await sleep(roundTrips.ackMs)
    },
    commit: async () => {
      await sleep(roundTrips.ackMs)
      await transaction.commit()
      onCommit(transactionalId, records)
    },
    abort: () => transaction.abort(),
  }
}

/** `target` with some methods replaced; the others stay bound to it. */
function delegate<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(inner, property) {
      if (Object.hasOwn(overrides, property)) return (overrides as Record<PropertyKey, unknown>)[property]
      const value: unknown = Reflect.get(inner, property)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(inner) : value
    },
  })
}
