import { ConfigError } from '../../core/errors.js'

/** A table name as `schema.table` or `table` (schema `public`), each part a plain identifier or a "quoted" one. */
export interface TableName {
  readonly schema: string
  readonly table: string
  /** Quoted for SQL: `"public"."orders"`. */
  readonly sql: string
  /** As written in messages and offsets: `public.orders`. */
  readonly text: string
}

const PART = /^(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))$/

/**
 * Quotes an identifier for SQL.
 *
 * @example
 * quoteIdentifier('order') // '"order"'
 * quoteIdentifier('a"b') // '"a""b"'
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * Parses a configured table name; unquoted parts fold to lower case as PostgreSQL folds them.
 *
 * @example
 * parseTableName('Sales.Orders', 'config.table') // { schema: 'sales', table: 'orders', sql: '"sales"."orders"', text: 'sales.orders' }
 */
export function parseTableName(name: string, field: string): TableName {
  const parts = name.match(/(?:"(?:[^"]|"")+"|[^.])+/g) ?? []
  if (parts.join('.') !== name || parts.length < 1 || parts.length > 2) throw new ConfigError(field, `must be a table name as table or schema.table, got ${JSON.stringify(name)}`)
  const names = parts.map((part) => {
    const match = PART.exec(part)
    if (match === null) throw new ConfigError(field, `must be a table name as table or schema.table (quote unusual names: "My Table"), got ${JSON.stringify(name)}`)
    return match[1] === undefined ? (match[2] ?? '').toLowerCase() : match[1].replaceAll('""', '"')
  })
  const [schema, table] = names.length === 2 ? [names[0]!, names[1]!] : ['public', names[0]!]
  return { schema, table, sql: `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`, text: `${schema}.${table}` }
}
