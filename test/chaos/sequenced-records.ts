/**
 * Records that carry their (partition, sequence) in their value, as the log-level fault suites
 * (io-faults, power-loss) write them, and reading them back as the checker takes them.
 *
 * @example
 * await producer.send([{ topic: 'events', partition: 1, value: sequencedValue(1, 0) }])
 * checkRecords(model, await readSequences(log, 'events', 2))
 */
import type { Log, LogRecord } from '../../index.js'

/** The value of record `sequence` of `partition`, of varying length. */
export function sequencedValue(partition: number, sequence: number): Buffer {
  return Buffer.from(`p${partition}-s${sequence}-${'x'.repeat(30 + (sequence % 50))}`)
}

/** The sequence a record's value carries (-1 for a value that is not one of these). */
export function sequenceOf(record: LogRecord): number {
  const match = /^p\d+-s(\d+)-/.exec(record.value?.toString('utf8') ?? '')
  return match === null ? -1 : Number(match[1])
}

/** Every partition of `topic` read from its start: the sequences, per partition, in offset order. */
export async function readSequences(log: Log, topic: string, partitions: number): Promise<number[][]> {
  const out: number[][] = []
  for (let partition = 0; partition < partitions; partition++) {
    const consumer = log.consumer()
    await consumer.assign([{ topic, partition }])
    const sequences: number[] = []
    for (let batch = await consumer.poll({ maxRecords: 1_000 }); batch.length > 0; batch = await consumer.poll({ maxRecords: 1_000 })) sequences.push(...batch.map(sequenceOf))
    await consumer.close()
    out.push(sequences)
  }
  return out
}
