import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ConfigError } from '../../core/errors.js'
import type { SerdeSpec, ConnectorSpec, RetrySpec } from './spec.js'
import { loadConnector } from './loader.js'

/** Where `tributary connect` runs its connectors: an embedded log's directory or Kafka brokers. */
export type LogChoice = { readonly data: string } | { readonly kafka: string }

/** A `tributary connect` config file, checked and with its connectors loaded. */
export interface ConnectConfig {
  readonly log: LogChoice | undefined
  readonly connectors: readonly ConnectorSpec[]
}

const SPEC_FIELDS = new Set(['name', 'connector', 'config', 'topic', 'topics', 'key', 'value', 'deadLetterTopic', 'retries', 'commitInterval', 'processing', 'partitions', 'batchSize'])

/**
 * Reads a `tributary connect` config file: `{ "log": { "data": DIR } | { "kafka": BROKERS },
 * "connectors": [ { "name", "connector", "config", "topic" | "topics", … } ] }`, and loads each
 * connector (a built-in's name, a plugin path relative to the file, or a package name). Each
 * problem is a ConfigError naming the field.
 *
 * @example
 * const { log, connectors } = await readConnectConfig('./connect.json')
 */
export async function readConnectConfig(file: string): Promise<ConnectConfig> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ConfigError('CONFIG', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new ConfigError('CONFIG', `${file} is not JSON: ${(error as Error).message}`)
  }
  return parseConnectConfig(parsed, path.dirname(path.resolve(file)))
}

/** As `readConnectConfig`, for a config already parsed; plugin paths are relative to `baseDir`. */
export async function parseConnectConfig(parsed: unknown, baseDir: string): Promise<ConnectConfig> {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError('CONFIG', 'must be an object with "connectors" (and optionally "log")')
  const root = parsed as Record<string, unknown>
  for (const key of Object.keys(root)) if (key !== 'log' && key !== 'connectors') throw new ConfigError(key, 'is not a setting of a connect config; it takes "log" and "connectors"')
  const log = parseLog(root.log, baseDir)
  if (!Array.isArray(root.connectors) || root.connectors.length === 0) throw new ConfigError('connectors', 'must be a list of at least one connector')
  const names = new Set<string>()
  const connectors: ConnectorSpec[] = []
  for (const [index, entry] of root.connectors.entries()) {
    const at = `connectors[${index}]`
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ConfigError(at, 'must be an object: { "name", "connector", "config", "topic" or "topics" }')
    const spec = entry as Record<string, unknown>
    for (const key of Object.keys(spec)) if (!SPEC_FIELDS.has(key)) throw new ConfigError(`${at}.${key}`, `is not a connector setting; they are ${[...SPEC_FIELDS].join(', ')}`)
    if (typeof spec.name !== 'string') throw new ConfigError(`${at}.name`, 'is required: a name for the connector (it names its offsets and consumer group)')
    if (names.has(spec.name)) throw new ConfigError(`${at}.name`, `${spec.name} is used twice; each connector needs its own name`)
    names.add(spec.name)
    const connector = await loadConnector(spec.connector as string, baseDir, `connectors.${spec.name}.connector`)
    if (connector.kind === 'source' && typeof spec.topic !== 'string') throw new ConfigError(`connectors.${spec.name}.topic`, `is required: the topic the source ${connector.name} writes to`)
    if (connector.kind === 'sink' && !Array.isArray(spec.topics)) throw new ConfigError(`connectors.${spec.name}.topics`, `is required: the list of topics the sink ${connector.name} reads`)
    connectors.push({
      ...spec,
      name: spec.name,
      connector,
      ...(spec.key === undefined ? {} : { key: spec.key as SerdeSpec }),
      ...(spec.value === undefined ? {} : { value: spec.value as SerdeSpec }),
      ...(spec.retries === undefined ? {} : { retries: spec.retries as RetrySpec }),
    } as ConnectorSpec)
  }
  return { log, connectors }
}

function parseLog(log: unknown, baseDir: string): LogChoice | undefined {
  if (log === undefined) return undefined
  if (typeof log === 'object' && log !== null && !Array.isArray(log)) {
    const entries = Object.entries(log)
    if (entries.length === 1) {
      const [kind, where] = entries[0]!
      if (kind === 'data' && typeof where === 'string' && where !== '') return { data: path.resolve(baseDir, where) }
      if (kind === 'kafka' && typeof where === 'string' && where !== '') return { kafka: where }
    }
  }
  throw new ConfigError('log', 'must be {"data": "DIR"} (the embedded log) or {"kafka": "host:port,..."}')
}
