import { describe, expect, it } from 'vitest'
import { configEntriesOf } from '../../../core/log/kafka/topic-configs.js'

describe('configEntriesOf', () => {
  it("names every setting by its Kafka topic config, unlimited retention as Kafka's -1", () => {
    expect(
      configEntriesOf({
        partitions: 3,
        cleanup: 'compact',
        retentionMs: -1,
        retentionBytes: 10_000_000,
        segmentBytes: 16_777_216,
        segmentMs: 86_400_000,
        maxRecordBytes: 2048,
        deleteRetentionMs: 60_000,
        replicationFactor: 3,
        minInsyncReplicas: 2,
      }),
    ).toEqual([
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'retention.ms', value: '-1' },
      { name: 'retention.bytes', value: '10000000' },
      { name: 'segment.bytes', value: '16777216' },
      { name: 'segment.ms', value: '86400000' },
      { name: 'max.message.bytes', value: '2048' },
      { name: 'delete.retention.ms', value: '60000' },
      { name: 'min.insync.replicas', value: '2' },
    ])
  })

  it("sends nothing for settings not given, so the broker's defaults apply", () => {
    expect(configEntriesOf({ partitions: 1 })).toEqual([])
  })
})
