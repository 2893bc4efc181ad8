/**
 * Coverage-guided target: whole `tributary connect` configs (`parseConnectConfig`) on
 * `JSON.parse` of the input, with connectors loaded by reference (built-ins, plugin paths,
 * package names). Allowed: a SyntaxError from that JSON.parse, a ConfigError; anything else is
 * a finding.
 *
 * Plugin paths resolve inside the sandbox only (sandbox.ts), which holds plugins that are not
 * connectors, and package names are looked up from it: no input can make the target import a
 * module of the machine.
 *
 * @example
 * await fuzz(Buffer.from('{"connectors":[{"name":"in","connector":"datagen-source","topic":"t"}]}'))
 */
import path from 'node:path'
import { ConfigError } from '../../../../core/errors.js'
import { parseConnectConfig } from '../../../../connectors/runner/connect-config.js'
import { builtInConnectors } from '../../../../connectors/runner/loader.js'
import { insideSandbox, sandboxDir } from './sandbox.js'
import { onlyTypedAsync } from './typed-errors.js'

/**
 * One input: the JSON text of a `tributary connect` config.
 *
 * @example
 * await fuzz(Buffer.from('{"connectors":[{"name":"p","connector":"./no-connector.mjs"}]}'))
 */
export async function fuzz(data: Buffer): Promise<void> {
  let input: unknown
  try {
    input = JSON.parse(data.toString('utf8'))
  } catch (error) {
    if (error instanceof SyntaxError) return
    throw error
  }
  confinePluginPaths(input)
  await onlyTypedAsync([ConfigError], () => parseConnectConfig(input, sandboxDir()))
}

function confinePluginPaths(input: unknown): void {
  if (typeof input !== 'object' || input === null) return
  const connectors = (input as Record<string, unknown>).connectors
  if (!Array.isArray(connectors)) return
  for (const entry of connectors) {
    if (typeof entry !== 'object' || entry === null) continue
    const spec = entry as Record<string, unknown>
    if (typeof spec.connector === 'string' && (spec.connector.startsWith('.') || path.isAbsolute(spec.connector))) spec.connector = insideSandbox(spec.connector)
  }
}

/**
 * Configs to start from: every built-in, each plugin of the sandbox, and common mistakes.
 *
 * @example
 * for (const seed of seeds()) await fuzz(seed) // none throws
 */
export function seeds(): Buffer[] {
  const configs: unknown[] = [
    { log: { data: './data' }, connectors: [{ name: 'in', connector: 'file-source', topic: 'lines', config: { path: 'in.jsonl' } }, { name: 'out', connector: 'file-sink', topics: ['lines'], config: {} }] },
    { log: { kafka: '127.0.0.1:9092' }, connectors: [{ name: 'gen', connector: 'datagen-source', topic: 't', processing: 'exactly_once', retries: { max: 3 } }] },
    { connectors: [{ name: 'a', connector: 'http-sink', topics: ['t'] }, { name: 'a', connector: 'stdout-sink', topics: [] }] },
    { connectors: [{ name: 'p', connector: './no-connector.mjs', topic: 't' }] },
    { connectors: [{ name: 'p', connector: './not-javascript.mjs', topic: 't' }] },
    { connectors: [{ name: 'p', connector: './plugin', topic: 't' }, { name: 'q', connector: './odd-exports', topic: 't' }] },
    { connectors: [{ name: 'p', connector: 'tributary-connector-none', topic: 't' }] },
    { connectors: [{ name: 'pg', connector: 'postgres-source' }, { name: 'm', connector: 'log-mirror-sink', topics: 't' }] },
    { log: { data: '' }, connectors: [] },
    { connectors: [{ name: 'x', connector: 'stdin-source', topic: 't', unknown: 1 }], extra: true },
  ]
  return configs.map((config) => Buffer.from(JSON.stringify(config)))
}

/**
 * The config's keys, the built-in connectors' names and the sandbox's plugins, for libFuzzer's dictionary.
 *
 * @example
 * dictionary().includes('"file-source"') // true
 */
export function dictionary(): string[] {
  const keys = ['log', 'data', 'kafka', 'connectors', 'name', 'connector', 'config', 'topic', 'topics', 'key', 'value', 'deadLetterTopic', 'retries', 'commitInterval', 'processing', 'partitions', 'batchSize']
  const references = [...builtInConnectors, './no-connector.mjs', './not-javascript.mjs', './plugin', './odd-exports', '@scope/name']
  return [...keys, ...references].map((word) => JSON.stringify(word))
}
