import { TributaryError } from '../../core/errors.js'

/**
 * A connector failed: its name, what it was doing, and the cause. `retriable` errors are retried
 * by the runner with backoff; others stop the connector (or send the record to the dead-letter
 * topic, where there is one record to blame).
 *
 * @example
 * throw new ConnectorError('orders-db', 'the insert of 500 rows into orders timed out', { retriable: true, cause: error })
 */
export class ConnectorError extends TributaryError {
  readonly connector: string
  constructor(connector: string, message: string, options: { retriable?: boolean; cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'TRIBUTARY_CONNECTOR', `connector ${connector}: ${message}`, options)
    this.connector = connector
  }
}

/**
 * One record a connector could not convert or write. Thrown by a source or sink for a single
 * record, it sends that record to the dead-letter topic; the rest flows on.
 *
 * @example
 * throw new RecordRejectedError('line 12 is not JSON: Unexpected token } at 14')
 */
export class RecordRejectedError extends TributaryError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'TRIBUTARY_RECORD_REJECTED', message, options)
  }
}
