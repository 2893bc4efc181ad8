import { RecordRejectedError } from '../api/errors.js'
import type { SinkRecord } from '../api/types.js'
import { copyLine } from './copy-text.js'
import type { TableColumn } from './table-columns.js'

/**
 * What one record means for the table: a row to write (as its line of COPY text, encoded when the
 * record is put, so the batch before it is being written meanwhile), or (a tombstone) a key whose
 * row to delete.
 */
export type RowChange =
  | { readonly kind: 'write'; readonly record: SinkRecord; readonly line: string; readonly key: readonly unknown[]; readonly columns: ColumnSet }
  | { readonly kind: 'delete'; readonly record: SinkRecord; readonly key: readonly unknown[] }

/** The columns a row writes: the key columns and those its value has a field for. One object per distinct set. */
export interface ColumnSet {
  /** One character per column of the table, `1` when written: `11010`. */
  readonly signature: string
  readonly columns: readonly TableColumn[]
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Turns records into row changes for a table's columns.
 *
 * The key columns' values come from the record key when it has one: the fields of an object key
 * (key serde `json`), or the key itself (a string or number) when there is one key column; with
 * a null key they come from the value's fields. The other columns come from the value's fields
 * of the same name: a field that is null writes NULL, a missing field leaves its column out of
 * the row (the column's default for a new row, its current value for an updated one); fields
 * that are not columns are ignored. A null value is a tombstone: its key's row is deleted when
 * `deleteOnNull` is set, else it is ignored.
 *
 * @example
 * const mapper = new RowMapper(columns, ['id'], true)
 * mapper.change(record) // { kind: 'write', line: '7\tada\n', key: [7], columns: { signature: '11', … }, record }
 */
export class RowMapper {
  /** Per column of the table: its position among the key columns, or -1. */
  private readonly keyPositions: readonly number[]
  private readonly sets = new Map<string, ColumnSet>()

  constructor(
    private readonly columns: readonly TableColumn[],
    private readonly keyColumns: readonly string[],
    private readonly deleteOnNull: boolean,
  ) {
    this.keyPositions = columns.map((column) => keyColumns.indexOf(column.name))
  }

  /** The change a record makes; undefined for a tombstone that is ignored. Throws RecordRejectedError for a record that cannot be a row. */
  change(record: SinkRecord): RowChange | undefined {
    const value = record.value
    if (value === null) {
      if (!this.deleteOnNull || this.keyColumns.length === 0) return undefined
      const key = this.keyOf(record.key, undefined)
      return { kind: 'delete', record, key }
    }
    if (!isObject(value)) throw new RecordRejectedError(`the value is ${Array.isArray(value) ? 'a list' : typeof value}, not an object of column values`)
    const key = this.keyColumns.length === 0 ? [] : this.keyOf(record.key, value)
    const written: unknown[] = []
    let signature = ''
    for (let index = 0; index < this.columns.length; index++) {
      const keyPosition = this.keyPositions[index]!
      const field = keyPosition >= 0 ? key[keyPosition] : value[this.columns[index]!.name]
      if (field === undefined) {
        signature += '0'
      } else {
        signature += '1'
        written.push(field)
      }
    }
    const columns = this.columnSet(signature)
    if (written.length === 0) throw new RecordRejectedError(`the value has no field for any column written (${this.columns.map((column) => column.name).join(', ')})`)
    return { kind: 'write', record, line: copyLine(written, columns.columns), key, columns }
  }

  private columnSet(signature: string): ColumnSet {
    let set = this.sets.get(signature)
    if (set === undefined) {
      set = { signature, columns: this.columns.filter((_, index) => signature[index] === '1') }
      this.sets.set(signature, set)
    }
    return set
  }

  private keyOf(key: unknown, value: Record<string, unknown> | undefined): unknown[] {
    let source: Record<string, unknown> | undefined
    if (isObject(key)) source = key
    else if (key !== null && key !== undefined && (typeof key === 'string' || typeof key === 'number' || typeof key === 'bigint')) {
      if (this.keyColumns.length === 1) return [key]
      throw new RecordRejectedError(`the key ${JSON.stringify(String(key))} is not an object, so it cannot fill the ${this.keyColumns.length} key columns ${this.keyColumns.join(', ')}: give object keys (key serde json)`)
    } else source = value
    if (source === undefined) throw new RecordRejectedError(`a tombstone (null value) with a null key names no row to delete`)
    const found = this.keyColumns.map((name) => source[name])
    const missing = this.keyColumns.filter((_, index) => found[index] === null || found[index] === undefined)
    if (missing.length > 0) throw new RecordRejectedError(`the record has no value for the key column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (in its key, or in its value when the key is null)`)
    return found
  }
}

/**
 * Keeps the last change per key, in the order each key was first seen: PostgreSQL refuses an
 * `ON CONFLICT DO UPDATE` that touches one row twice, and the last record is the one that counts.
 *
 * @example
 * lastPerKey([write(1, 'a'), write(1, 'b')]) // [write(1, 'b')]
 */
export function lastPerKey(changes: readonly RowChange[]): RowChange[] {
  const byKey = new Map<string, RowChange>()
  for (const change of changes) byKey.set(keyText(change.key), change)
  return [...byKey.values()]
}

/** The key as PostgreSQL reads it: 7 and "7" name the same row. */
function keyText(key: readonly unknown[]): string {
  if (key.length === 1) return keyPart(key[0])
  return key.map(keyPart).join('\u0000')
}

function keyPart(part: unknown): string {
  return typeof part === 'object' && part !== null ? JSON.stringify(part) : String(part)
}
