/**
 * The `Log` contract: what every backend (the embedded log, the memory log, Apache Kafka) provides.
 * Keys and values are bytes here; serdes type them above this layer.
 */

/** One record header. Kafka allows repeated header keys, so headers are a list. */
export interface RecordHeader {
  readonly key: string
  readonly value: Buffer
}

/** A record as stored in and read from a partition. */
export interface LogRecord {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  /** Milliseconds since the epoch (create time). */
  readonly timestamp: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: readonly RecordHeader[]
}

/** A record to append. Without `partition`, the key picks it (murmur2, as Kafka's default partitioner). */
export interface ProducerRecord {
  readonly topic: string
  readonly partition?: number
  readonly key?: Buffer | null
  readonly value: Buffer | null
  readonly headers?: readonly RecordHeader[]
  /** Defaults to the producer clock's now. */
  readonly timestamp?: number
}

/** Where an appended record landed. */
export interface RecordMetadata {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly timestamp: number
}

export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: number
}

/** Per-topic settings, with Kafka's meaning. */
export interface TopicConfig {
  readonly partitions: number
  /** `delete` removes old segments by retention; `compact` keeps the last value per key. Default `delete`. */
  readonly cleanup?: 'delete' | 'compact'
  /** Delete segments whose newest record is older than this. Default 7 days; -1 keeps forever. */
  readonly retentionMs?: number
  /** Delete oldest segments while a partition is larger than this. Default -1 (no limit). */
  readonly retentionBytes?: number
  /** Roll to a new segment past this size. Default 1 GiB. */
  readonly segmentBytes?: number
  /** Roll to a new segment when the active one is older than this. Default 7 days. */
  readonly segmentMs?: number
  /** The largest record batch accepted. Default 1 MiB + 12 bytes, as Kafka's `max.message.bytes`. */
  readonly maxRecordBytes?: number
  /** How long compaction keeps tombstones (records with a null value). Default 1 day. */
  readonly deleteRetentionMs?: number
  /** Replicas per partition (Kafka backend only; the embedded log has one copy). */
  readonly replicationFactor?: number
  /**
   * In-sync replicas a write with acks from all of them needs, else it is refused (Kafka's
   * `min.insync.replicas`; Kafka backend only). With 3 replicas and 2, every acknowledged write
   * is on two brokers and the topic takes writes with one broker down.
   */
  readonly minInsyncReplicas?: number
}

/** TopicConfig with every default filled in. */
export type ResolvedTopicConfig = Required<Omit<TopicConfig, 'replicationFactor' | 'minInsyncReplicas'>>

export interface PartitionDescription {
  readonly partition: number
  /** The first offset still stored (log start offset). */
  readonly startOffset: number
  /** The offset the next record will get (log end offset, high watermark). */
  readonly endOffset: number
  /** Bytes stored: on disk across segments, or held by the memory log (undefined where a backend cannot tell). */
  readonly sizeBytes: number | undefined
}

export interface TopicDescription {
  readonly name: string
  readonly config: ResolvedTopicConfig
  readonly partitions: readonly PartitionDescription[]
}

export interface ProducerOptions {
  /**
   * Enables transactions. A new producer with the same id fences the older one
   * and aborts whatever transaction it left open.
   */
  readonly transactionalId?: string
}

/**
 * Appends records, in order per partition. Each record is checked against its topic's limits
 * before any is written, so a rejected send writes nothing. The records of one send to one
 * partition form one batch when they fit `maxRecordBytes`, and several otherwise.
 */
export interface Producer {
  send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]>
  /** Starts a transaction; needs `transactionalId`. Only one transaction is open at a time. */
  beginTransaction(): Promise<Transaction>
  close(): Promise<void>
}

/** An open transaction: its records and offsets become visible together on commit, or never. */
export interface Transaction {
  send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]>
  /** Commits these consumer-group offsets as part of the transaction. */
  sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>
  commit(): Promise<void>
  abort(): Promise<void>
}

export type IsolationLevel = 'read_uncommitted' | 'read_committed'

export interface ConsumerOptions {
  /** Consumers with the same group share partitions and commit offsets together. */
  readonly groupId?: string
  /** Default `read_committed`: records of open or aborted transactions are never returned. */
  readonly isolation?: IsolationLevel
  /** Where to start when the group has no committed offset. Default `earliest`. */
  readonly autoOffsetReset?: 'earliest' | 'latest' | 'none'
  /** Upper bound on records one poll returns. Default 10,000. */
  readonly maxPollRecords?: number
  /** A member that does not poll for this long leaves the group. Default 45 s. */
  readonly sessionTimeoutMs?: number
}

/** Callbacks around a change of a group member's partitions. */
export interface RebalanceListener {
  /** Called before partitions are taken away: commit what was processed. */
  onRevoked?(partitions: readonly TopicPartition[]): void | Promise<void>
  /** Called after partitions are given: restore state, seek. */
  onAssigned?(partitions: readonly TopicPartition[]): void | Promise<void>
}

export interface PollOptions {
  /** Defaults to the consumer's `maxPollRecords`. */
  readonly maxRecords?: number
  /** How long to wait for a record when none is ready. Default 0 (return at once). */
  readonly timeoutMs?: number
}

/** Reads records, either as a group member (`subscribe`) or from chosen partitions (`assign`). */
export interface Consumer {
  subscribe(topics: readonly string[], listener?: RebalanceListener): Promise<void>
  assign(partitions: readonly TopicPartition[]): Promise<void>
  assignment(): TopicPartition[]
  /** Returns the next records of assigned, unpaused partitions, waiting up to `timeoutMs`. */
  poll(options?: PollOptions): Promise<LogRecord[]>
  /** Makes a pending `poll` return at once (with what it has). */
  wakeup(): void
  seek(partition: TopicPartition, offset: number): void
  seekToBeginning(partitions?: readonly TopicPartition[]): Promise<void>
  seekToEnd(partitions?: readonly TopicPartition[]): Promise<void>
  /** Moves to the first offset whose timestamp is at or after `timestamp` (the end if none). */
  seekToTimestamp(partition: TopicPartition, timestamp: number): Promise<void>
  /** The offset of the next record `poll` will return for this partition. */
  position(partition: TopicPartition): number
  /**
   * How many records of the partition lie past its position, as far as this consumer knows
   * (Java's `currentLag`): exact on the embedded and memory logs (up to the last stable offset
   * under read_committed); on Kafka, up to the high watermark of its last fetch, which counts
   * records of open transactions too. Undefined while unknown.
   */
  currentLag(partition: TopicPartition): number | undefined
  pause(partitions: readonly TopicPartition[]): void
  resume(partitions: readonly TopicPartition[]): void
  /** Commits these offsets for the group, or the current positions of all assigned partitions. */
  commit(offsets?: readonly TopicPartitionOffset[]): Promise<void>
  /** The group's committed offset per partition (undefined where none). */
  committed(partitions: readonly TopicPartition[]): Promise<(number | undefined)[]>
  close(): Promise<void>
}

/** A backend: topics, producers and consumers. */
export interface Log {
  readonly backend: 'embedded' | 'memory' | 'kafka'
  createTopic(name: string, config: TopicConfig): Promise<void>
  deleteTopic(name: string): Promise<void>
  /** User topics, sorted; internal topics (names starting with `__`) are left out. */
  listTopics(): Promise<string[]>
  describeTopic(name: string): Promise<TopicDescription>
  /**
   * Deletes the records below each given offset, as Kafka's `Admin.deleteRecords`: moves the
   * partition's start offset up to it (a lower offset than the current start changes nothing),
   * so records below it are no longer readable, and frees their storage (whole segments below it
   * are removed). The new start survives a restart. A consumer positioned below it is reset by
   * its `autoOffsetReset`, as for any offset out of range. Every request is checked before any
   * takes effect: the offset must lie in `[0, endOffset]` (OffsetOutOfRangeError), the topic must
   * have `cleanup: 'delete'` (PolicyViolationError) and not be an internal `__` topic.
   *
   * @example
   * // Purge a repartition topic up to what its consumers committed.
   * await log.deleteRecords([{ topic: 'app-by-user-repartition', partition: 0, offset: 1200 }])
   */
  deleteRecords(offsets: readonly TopicPartitionOffset[]): Promise<void>
  producer(options?: ProducerOptions): Producer
  consumer(options?: ConsumerOptions): Consumer
  close(): Promise<void>
}

/** Opens a log when an app starts, so an app can be declared before its log is open. */
export interface LogProvider {
  open(): Promise<Log>
}
