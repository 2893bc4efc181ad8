import { ConfigError } from '../../core/errors.js'
import { field, type ConfigOf } from '../api/config-schema.js'
import { connectionConfig } from './connection.js'
import type { TableShape, TableColumn } from './table-columns.js'

export const postgresSinkConfig = {
  ...connectionConfig,
  table: field.string({ doc: 'the table written, as table or schema.table; it must exist' }),
  mode: field.oneOf(['insert', 'upsert'] as const, { default: 'upsert', doc: 'insert appends every record as a row; upsert keeps one row per key' }),
  keyColumns: field.list(field.string(), { optional: true, minLength: 1, doc: 'the columns that identify a row (upsert, tombstones); default: the table\'s primary key' }),
  columns: field.list(field.string(), { optional: true, minLength: 1, doc: 'the columns written, each from the value\'s field of that name; default: every column of the table' }),
  deleteOnNull: field.boolean({ default: true, doc: 'upsert: a record with a null value (a tombstone) deletes its key\'s row' }),
  batchSize: field.integer({ min: 1, max: 1_000_000, default: 10_000, doc: 'records buffered before they are written in one transaction (each flush writes what is buffered too)' }),
}

export type PostgresSinkConfig = ConfigOf<typeof postgresSinkConfig>

/**
 * The columns written and the key columns, checked against the table: a ConfigError names the field at fault.
 *
 * @example
 * const { columns, keyColumns } = resolveColumns(config, await readTableShape(client, table))
 */
export function resolveColumns(config: PostgresSinkConfig, shape: TableShape): { columns: TableColumn[]; keyColumns: string[] } {
  const byName = new Map(shape.columns.map((column) => [column.name, column]))
  const columns = config.columns === undefined
    ? [...shape.columns]
    : config.columns.map((name, index) => {
        const column = byName.get(name)
        if (column === undefined) throw new ConfigError(`config.columns[${index}]`, `${JSON.stringify(name)} is not a column of ${config.table} (it has ${shape.columns.map((c) => c.name).join(', ')})`)
        return column
      })
  const keyColumns = [...(config.keyColumns ?? (config.mode === 'upsert' ? shape.primaryKey : []))]
  if (config.mode === 'upsert' && keyColumns.length === 0) throw new ConfigError('config.keyColumns', `is required for upsert: ${config.table} has no primary key to take them from`)
  keyColumns.forEach((name, index) => {
    if (!columns.some((column) => column.name === name)) throw new ConfigError(`config.keyColumns[${index}]`, `${JSON.stringify(name)} is not one of the columns written (${columns.map((c) => c.name).join(', ')})`)
  })
  return { columns, keyColumns }
}
