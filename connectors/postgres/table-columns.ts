import type pg from 'pg'
import type { TableName } from './identifiers.js'

/** A column of the target table as the catalog describes it. */
export interface TableColumn {
  readonly name: string
  /** The type as SQL writes it: `integer`, `character varying(40)`, `jsonb`, `text[]`. */
  readonly type: string
  readonly isArray: boolean
  readonly isJson: boolean
}

/** The target table's columns in order, and its primary key's columns. */
export interface TableShape {
  readonly columns: readonly TableColumn[]
  readonly primaryKey: readonly string[]
}

/**
 * Reads a table's columns and primary key from the catalog; undefined when there is no such table.
 *
 * @example
 * const shape = await readTableShape(client, parseTableName('orders', 'config.table'))
 */
export async function readTableShape(client: pg.Client, table: TableName): Promise<TableShape | undefined> {
  const found = await client.query<{ oid: number }>('SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN (\'r\', \'p\', \'v\', \'f\')', [table.schema, table.table])
  const oid = found.rows[0]?.oid
  if (oid === undefined) return undefined
  const columns = await client.query<{ name: string; type: string; category: string; base: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typcategory AS category, coalesce(e.typname, t.typname) AS base
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum`,
    [oid],
  )
  const key = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.position`,
    [oid],
  )
  return {
    columns: columns.rows.map((row) => ({ name: row.name, type: row.type, isArray: row.category === 'A', isJson: row.base === 'json' || row.base === 'jsonb' })),
    primaryKey: key.rows.map((row) => row.name),
  }
}
