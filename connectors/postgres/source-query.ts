import type { SourceOffset, SourcePartition } from '../api/types.js'
import { parseTableName, quoteIdentifier } from './identifiers.js'
import { isoTimestamp } from './row-json.js'
import type { PostgresSourceConfig } from './source-config.js'

/** Where the source stands in its table: past this id, this timestamp, or this (timestamp, id). */
export interface ReadPosition {
  readonly id?: string | number
  readonly ts?: string
}

/** A query for the next rows and its parameters. */
export interface NextRowsQuery {
  readonly text: string
  readonly values: readonly (string | number)[]
}

/**
 * Builds the bounded queries of a source from its config: the rows past a position, in the
 * order of the mode's columns, at most `batchSize` of them; and where a row leaves the source.
 *
 * @example
 * const plan = new SourceQueryPlan(config)
 * const { text, values } = plan.after({ id: 41 }) // SELECT * FROM "public"."orders" AS r WHERE r."id" > $1 ORDER BY r."id" LIMIT 1000
 */
export class SourceQueryPlan {
  /** Names what the source reads, for its stored offsets: `{ table: 'public.orders' }` or `{ query: '…' }`. */
  readonly partition: SourcePartition
  private readonly from: string
  private readonly id: string | undefined
  private readonly ts: string | undefined

  constructor(private readonly config: PostgresSourceConfig) {
    if (config.table !== undefined) {
      const table = parseTableName(config.table, 'config.table')
      this.partition = { table: table.text }
      this.from = table.sql
    } else {
      this.partition = { query: config.query ?? '' }
      this.from = `(${config.query ?? ''})`
    }
    this.id = config.mode === 'timestamp' || config.incrementingColumn === undefined ? undefined : `r.${quoteIdentifier(config.incrementingColumn)}`
    this.ts = config.mode === 'incrementing' || config.timestampColumn === undefined ? undefined : `r.${quoteIdentifier(config.timestampColumn)}`
  }

  /** The next rows past `position` (all rows from the start when undefined). */
  after(position: ReadPosition | undefined): NextRowsQuery {
    const order = [this.ts, this.id].filter((column) => column !== undefined).join(', ')
    const limit = `ORDER BY ${order} LIMIT ${this.config.batchSize}`
    const select = `SELECT * FROM ${this.from} AS r`
    if (position === undefined) return { text: `${select} ${this.whereNotNull()} ${limit}`, values: [] }
    if (this.ts !== undefined && this.id !== undefined) return { text: `${select} WHERE (${this.ts}, ${this.id}) > ($1, $2) ${limit}`, values: [position.ts ?? '-infinity', position.id ?? 0] }
    if (this.ts !== undefined) return { text: `${select} WHERE ${this.ts} > $1 ${limit}`, values: [position.ts ?? '-infinity'] }
    return { text: `${select} WHERE ${this.id ?? ''} > $1 ${limit}`, values: [position.id ?? 0] }
  }

  /** Every row at exactly this timestamp (timestamp mode, when a whole batch shares one). */
  atTimestamp(ts: string): NextRowsQuery {
    return { text: `SELECT * FROM ${this.from} AS r WHERE ${this.ts ?? ''} = $1`, values: [ts] }
  }

  private whereNotNull(): string {
    const columns = [this.ts, this.id].filter((column) => column !== undefined)
    return `WHERE ${columns.map((column) => `${column} IS NOT NULL`).join(' AND ')}`
  }

  /** The position a row leaves the source at; the row as the client returned it (exact text for int8 and timestamps). */
  positionOf(row: Readonly<Record<string, unknown>>): ReadPosition {
    const position: { id?: string | number; ts?: string } = {}
    if (this.id !== undefined && this.config.incrementingColumn !== undefined) position.id = exactId(row[this.config.incrementingColumn])
    if (this.ts !== undefined && this.config.timestampColumn !== undefined) position.ts = isoTimestamp(String(row[this.config.timestampColumn]))
    return position
  }

  /** A position as a stored offset, and back. */
  toOffset(position: ReadPosition): SourceOffset {
    return { ...(position.id === undefined ? {} : { id: position.id }), ...(position.ts === undefined ? {} : { ts: position.ts }) }
  }

  fromOffset(offset: SourceOffset | undefined): ReadPosition | undefined {
    if (offset === undefined) return undefined
    const id = offset['id']
    const ts = offset['ts']
    return { ...(typeof id === 'string' || typeof id === 'number' ? { id } : {}), ...(typeof ts === 'string' ? { ts } : {}) }
  }
}

function exactId(value: unknown): string | number {
  if (typeof value === 'number') return value
  const text = String(value)
  const number = Number(text)
  return Number.isSafeInteger(number) ? number : text
}
