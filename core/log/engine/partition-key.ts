import type { TopicPartition } from '../types.js'

/** `topic:partition`, the key of a partition in maps (topic names cannot hold ':'). */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`
}

export function parsePartitionKey(key: string): TopicPartition {
  const at = key.lastIndexOf(':')
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) }
}
