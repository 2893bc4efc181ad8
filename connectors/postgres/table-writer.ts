import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { quoteIdentifier, type TableName } from './identifiers.js'
import { isDataError } from './pg-errors.js'
import type { ColumnSet, RowChange } from './row-mapping.js'
import type { TableColumn } from './table-columns.js'

/** A change PostgreSQL refused, with its error. */
export interface RefusedChange {
  readonly change: RowChange
  readonly error: Error
}

/** Target of one sink: the table, the columns written, and how. */
export interface WriteTarget {
  readonly table: TableName
  readonly columns: readonly TableColumn[]
  readonly keyColumns: readonly string[]
  readonly mode: 'insert' | 'upsert'
}

const COPY_CHUNK_CHARS = 256 * 1024
const STAGING = 'tributary_sink_staging'

/**
 * Writes batches of row changes to a table over one connection, each batch in one transaction.
 * Inserts are a COPY into the table; upserts a COPY into a temporary staging table, then
 * `INSERT … SELECT … ON CONFLICT (keys) DO UPDATE` (one of each per set of columns the rows
 * write); deletes one `DELETE … USING unnest(…)`.
 * When PostgreSQL refuses the data (SQLSTATE class 22 or 23), the batch is written again in
 * halves under savepoints, down to the single rows at fault, which are returned; the rest is written.
 *
 * @example
 * const writer = await TableWriter.open(client, target)
 * const refused = await writer.write(lastPerKey(changes))
 */
export class TableWriter {
  private readonly deleteSql: string
  /** The COPY and upsert statements of each set of columns written, made on first use. */
  private readonly statements = new Map<ColumnSet, { readonly copy: string; readonly upsert: string }>()

  private constructor(private readonly client: pg.Client, private readonly target: WriteTarget) {
    const { table, columns, keyColumns } = target
    const keyTypes = keyColumns.map((name) => columns.find((column) => column.name === name)?.type ?? 'text')
    const parameters = keyColumns.map((_, index) => `$${index + 1}::text[]`).join(', ')
    const matches = keyColumns.map((name, index) => `t.${quoteIdentifier(name)} = d.k${index}::${keyTypes[index]}`).join(' AND ')
    this.deleteSql = `DELETE FROM ${table.sql} AS t USING unnest(${parameters}) AS d(${keyColumns.map((_, index) => `k${index}`).join(', ')}) WHERE ${matches}`
  }

  /** Prepares a connection for writing (the staging table of upserts lives as long as the connection). */
  static async open(client: pg.Client, target: WriteTarget): Promise<TableWriter> {
    const writer = new TableWriter(client, target)
    if (target.mode === 'upsert') {
      const columnList = target.columns.map((column) => quoteIdentifier(column.name)).join(', ')
      await client.query(`CREATE TEMPORARY TABLE IF NOT EXISTS ${STAGING} ON COMMIT DELETE ROWS AS SELECT ${columnList} FROM ${target.table.sql} WITH NO DATA`)
    }
    return writer
  }

  private statementsOf(set: ColumnSet): { readonly copy: string; readonly upsert: string } {
    let statements = this.statements.get(set)
    if (statements === undefined) {
      const { table, keyColumns, mode } = this.target
      const columnList = set.columns.map((column) => quoteIdentifier(column.name)).join(', ')
      const keys = keyColumns.map(quoteIdentifier).join(', ')
      const updated = set.columns.filter((column) => !keyColumns.includes(column.name)).map((column) => `${quoteIdentifier(column.name)} = EXCLUDED.${quoteIdentifier(column.name)}`)
      const onConflict = updated.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updated.join(', ')}`
      statements = {
        copy: mode === 'insert' ? `COPY ${table.sql} (${columnList}) FROM STDIN` : `COPY pg_temp.${STAGING} (${columnList}) FROM STDIN`,
        // In key order: index pages are visited in order, and concurrent writers lock rows in one order (no deadlocks).
        upsert: `INSERT INTO ${table.sql} (${columnList}) SELECT ${columnList} FROM pg_temp.${STAGING} ORDER BY ${keys} ON CONFLICT (${keys}) ${onConflict}`,
      }
      this.statements.set(set, statements)
    }
    return statements
  }

  /** Writes the changes in one transaction; returns those PostgreSQL refused (the rest is committed). */
  async write(changes: readonly RowChange[]): Promise<RefusedChange[]> {
    if (changes.length === 0) return []
    await this.client.query('BEGIN')
    try {
      await this.writeChunk(changes, false)
      await this.client.query('COMMIT')
      return []
    } catch (error) {
      await this.rollback()
      if (!isDataError(error)) throw error
    }
    const refused: RefusedChange[] = []
    await this.client.query('BEGIN')
    try {
      await this.writeSplitting(changes, refused)
      await this.client.query('COMMIT')
    } catch (error) {
      await this.rollback()
      throw error
    }
    return refused
  }

  private async rollback(): Promise<void> {
    await this.client.query('ROLLBACK').catch(() => undefined) // a lost connection rolls back by itself
  }

  private async writeSplitting(changes: readonly RowChange[], refused: RefusedChange[]): Promise<void> {
    await this.client.query('SAVEPOINT tributary_chunk')
    try {
      await this.writeChunk(changes, true)
      await this.client.query('RELEASE SAVEPOINT tributary_chunk')
      return
    } catch (error) {
      if (!isDataError(error)) throw error
      await this.client.query('ROLLBACK TO SAVEPOINT tributary_chunk')
      await this.client.query('RELEASE SAVEPOINT tributary_chunk')
      if (changes.length === 1) {
        refused.push({ change: changes[0]!, error: error as Error })
        return
      }
    }
    const half = Math.ceil(changes.length / 2)
    await this.writeSplitting(changes.slice(0, half), refused)
    await this.writeSplitting(changes.slice(half), refused)
  }

  /** Writes the changes: per set of columns, a COPY (and for upserts the INSERT from staging); then the deletes. */
  private async writeChunk(changes: readonly RowChange[], stagingUsed: boolean): Promise<void> {
    const writes = new Map<ColumnSet, string[]>()
    const deletes: (readonly unknown[])[] = []
    for (const change of changes) {
      if (change.kind === 'delete') {
        deletes.push(change.key)
        continue
      }
      const lines = writes.get(change.columns)
      if (lines === undefined) writes.set(change.columns, [change.line])
      else lines.push(change.line)
    }
    let mustClearStaging = stagingUsed
    for (const [set, lines] of writes) {
      const statements = this.statementsOf(set)
      if (this.target.mode === 'upsert' && mustClearStaging) await this.client.query(`TRUNCATE pg_temp.${STAGING}`)
      await this.copy(statements.copy, lines)
      if (this.target.mode === 'upsert') await this.client.query(statements.upsert)
      mustClearStaging = true
    }
    if (deletes.length > 0) {
      const parameters = this.target.keyColumns.map((_, index) => deletes.map((key) => keyParameter(key[index])))
      await this.client.query(this.deleteSql, parameters)
    }
  }

  private async copy(sql: string, lines: readonly string[]): Promise<void> {
    function* chunks(): Generator<string> {
      let chunk = ''
      for (const line of lines) {
        chunk += line
        if (chunk.length >= COPY_CHUNK_CHARS) {
          yield chunk
          chunk = ''
        }
      }
      if (chunk !== '') yield chunk
    }
    await pipeline(Readable.from(chunks(), { objectMode: false }), this.client.query(copyFrom(sql)))
  }
}

function keyParameter(part: unknown): string {
  return typeof part === 'object' && part !== null ? JSON.stringify(part) : String(part)
}
