import { TributaryError } from '../errors.js'

/** Where a record was when something went wrong with it. */
export interface RecordPosition {
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

function at(position: RecordPosition | undefined): string {
  return position === undefined ? '' : ` at ${position.topic}-${position.partition} offset ${position.offset}`
}

/** An input record could not be deserialized; `cause` is the SerdeError. */
export class RecordDeserializationError extends TributaryError {
  readonly position: RecordPosition
  constructor(position: RecordPosition, cause: unknown) {
    super('TRIBUTARY_DESERIALIZATION', `cannot deserialize the record${at(position)}: ${(cause as Error)?.message ?? String(cause)}; set onDeserializationError to 'skip' or { deadLetter: topic } to go on past such records`, { cause })
    this.position = position
  }
}

/** User code (an operator's function) threw for a record; `cause` is what it threw. */
export class ProcessingError extends TributaryError {
  readonly position: RecordPosition | undefined
  readonly operator: string
  constructor(operator: string, position: RecordPosition | undefined, cause: unknown) {
    super('TRIBUTARY_PROCESSING', `${operator} failed for the record${at(position)}: ${(cause as Error)?.message ?? String(cause)}`, { cause })
    this.operator = operator
    this.position = position
  }
}

/** The app's topology cannot run as declared (missing topics, wrong partition counts, …). */
export class TopologyError extends TributaryError {
  constructor(message: string) {
    super('TRIBUTARY_TOPOLOGY', message)
  }
}

/**
 * A record arrived after every window it falls in had closed (stream time past the window's
 * end plus grace). Not a failure: it is counted in `metrics().lateRecords`, and this is what a
 * side output topic's `tributary.error.*` headers say about it.
 */
export class LateRecordError extends TributaryError {
  constructor(
    readonly operator: string,
    readonly timestamp: number,
    readonly streamTime: number,
  ) {
    super('TRIBUTARY_LATE_RECORD', `${operator}: the record at ${new Date(timestamp).toISOString()} came after its windows closed (stream time ${new Date(streamTime).toISOString()})`)
  }
}
