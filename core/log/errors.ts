import { TributaryError } from '../errors.js'

/** Base class of every error raised by a log backend. */
export class LogError extends TributaryError {}

/** A topic name breaks Kafka's rule: 1 to 249 characters of `[a-zA-Z0-9._-]`, not `.` or `..`. */
export class InvalidTopicNameError extends LogError {
  readonly topic: string
  constructor(topic: string, reason: string) {
    super('TRIBUTARY_INVALID_TOPIC_NAME', `invalid topic name ${JSON.stringify(topic.slice(0, 300))}: ${reason}`)
    this.topic = topic
  }
}

/** The topic (or one of its partitions) does not exist. */
export class UnknownTopicOrPartitionError extends LogError {
  readonly topic: string
  readonly partition: number | undefined
  constructor(topic: string, partition?: number) {
    super(
      'TRIBUTARY_UNKNOWN_TOPIC_OR_PARTITION',
      partition === undefined
        ? `topic ${topic} does not exist; create it first (tributary topics create ${topic} --partitions N)`
        : `partition ${partition} of topic ${topic} does not exist`,
    )
    this.topic = topic
    this.partition = partition
  }
}

/** A topic of that name exists already. */
export class TopicExistsError extends LogError {
  readonly topic: string
  constructor(topic: string) {
    super('TRIBUTARY_TOPIC_EXISTS', `topic ${topic} already exists`)
    this.topic = topic
  }
}

/** A record is larger than the topic's `maxRecordBytes`; nothing was written. */
export class RecordTooLargeError extends LogError {
  readonly topic: string
  readonly sizeBytes: number
  readonly maxBytes: number
  constructor(topic: string, sizeBytes: number, maxBytes: number) {
    super(
      'TRIBUTARY_RECORD_TOO_LARGE',
      `record of ${sizeBytes} bytes for topic ${topic} exceeds maxRecordBytes ${maxBytes}; nothing was written`,
    )
    this.topic = topic
    this.sizeBytes = sizeBytes
    this.maxBytes = maxBytes
  }
}

/** Stored bytes fail their checksum or structure; the damaged batch is never delivered. */
export class CorruptRecordError extends LogError {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  constructor(topic: string, partition: number, offset: number, detail: string) {
    super('TRIBUTARY_CORRUPT_RECORD', `corrupt data in ${topic}-${partition} at offset ${offset}: ${detail}`)
    this.topic = topic
    this.partition = partition
    this.offset = offset
  }
}

/** An offset outside the partition's valid range `[start, end]`. */
export class OffsetOutOfRangeError extends LogError {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly startOffset: number
  readonly endOffset: number
  constructor(topic: string, partition: number, offset: number, startOffset: number, endOffset: number) {
    super(
      'TRIBUTARY_OFFSET_OUT_OF_RANGE',
      `offset ${String(offset)} is out of range for ${topic}-${partition}; valid offsets are ${startOffset} to ${endOffset}`,
    )
    this.topic = topic
    this.partition = partition
    this.offset = offset
    this.startOffset = startOffset
    this.endOffset = endOffset
  }
}

/** Another process owns the data directory. */
export class DataDirectoryLockedError extends LogError {
  readonly dir: string
  readonly ownerPid: number | undefined
  constructor(dir: string, ownerPid: number | undefined) {
    super(
      'TRIBUTARY_DATA_DIR_LOCKED',
      `data directory ${dir} is in use by process ${ownerPid ?? 'unknown'}; stop it, or open the log with readOnly: true`,
    )
    this.dir = dir
    this.ownerPid = ownerPid
  }
}

/** A write was attempted on a log opened read-only. */
export class ReadOnlyLogError extends LogError {
  constructor(operation: string) {
    super('TRIBUTARY_READ_ONLY', `${operation} is not allowed: the log was opened read-only`)
  }
}

/** The log, producer or consumer has been closed. */
export class ClosedError extends LogError {
  constructor(what: string) {
    super('TRIBUTARY_CLOSED', `${what} is closed`)
  }
}

/** A newer producer with the same transactional id exists; this one must stop. */
export class ProducerFencedError extends LogError {
  readonly transactionalId: string
  constructor(transactionalId: string) {
    super(
      'TRIBUTARY_PRODUCER_FENCED',
      `producer with transactional id ${transactionalId} was fenced by a newer instance; its open transaction is aborted`,
    )
    this.transactionalId = transactionalId
  }
}

/** A transaction API was used in the wrong state (no transaction, already ended, …). */
export class TransactionStateError extends LogError {
  constructor(message: string) {
    super('TRIBUTARY_TRANSACTION_STATE', message)
  }
}

/** A storage operation failed (disk full, I/O error); the partition stops accepting writes. */
export class StorageError extends LogError {
  readonly path: string
  constructor(path: string, message: string, cause: unknown) {
    super('TRIBUTARY_STORAGE', `${message} (${path})`, { cause })
    this.path = path
  }
}

/** A record breaks a rule of its topic (for example a null key on a compacted topic). */
export class InvalidRecordError extends LogError {
  readonly topic: string
  constructor(topic: string, message: string) {
    super('TRIBUTARY_INVALID_RECORD', `${message} (topic ${topic})`)
    this.topic = topic
  }
}

/** An operation the topic's settings forbid (deleting records of a compacted topic). */
export class PolicyViolationError extends LogError {
  readonly topic: string
  constructor(topic: string, message: string) {
    super('TRIBUTARY_POLICY_VIOLATION', `${message} (topic ${topic})`)
    this.topic = topic
  }
}
