/**
 * What the exactly-once kill -9 test feeds its app and how the checker recognises the outputs.
 * Input partition p holds the records of producer p, sequences 0, 1, 2, … in order; every key
 * and value is a pure function of (producer, sequence), and so is the output the app makes of it.
 *
 *   key   => "producer-<p>"
 *   value => "producer=<p> sequence=<n> <filler>"   (the app appends "|mapped")
 */
import type { TopicConfig } from '../../core/log/types.js'

export const EOS_APP_ID = 'eos-crash'
export const EOS_INPUT = 'eos-input'
export const EOS_OUTPUT = 'eos-output'
export const EOS_PARTITIONS = 2
/** Small segments, so kills also land while a segment rolls. */
export const EOS_TOPIC_CONFIG: TopicConfig = { partitions: EOS_PARTITIONS, segmentBytes: 128 * 1024 }

const MAPPED_SUFFIX = '|mapped'

export function inputKey(producer: number): string {
  return `producer-${producer}`
}

/** Filler of 0 to 120 characters that depends on the sequence, so values vary in size. */
export function inputValue(producer: number, sequence: number): string {
  const filler = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(4).slice(0, (sequence * 7919) % 121)
  return `producer=${producer} sequence=${sequence} ${filler}`
}

/** The app's mapValues. */
export function mapValue(value: string): string {
  return value + MAPPED_SUFFIX
}

export interface OutputRecord {
  readonly producer: number
  readonly sequence: number
}

/** The (producer, sequence) an output stands for, or undefined when its key or value is not exactly what the app makes. */
export function parseOutput(key: Buffer | null, value: Buffer | null): OutputRecord | undefined {
  const match = value === null ? null : /^producer=(\d+) sequence=(\d+) /.exec(value.toString('utf8'))
  if (match === null) return undefined
  const producer = Number(match[1])
  const sequence = Number(match[2])
  const expected = mapValue(inputValue(producer, sequence))
  if (key?.toString('utf8') !== inputKey(producer) || value?.toString('utf8') !== expected) return undefined
  return { producer, sequence }
}
