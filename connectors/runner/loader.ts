import { existsSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConfigError } from '../../core/errors.js'
import type { Connector } from '../api/types.js'

/** The built-in connectors by name, and the module of each (loaded on first use). */
const BUILT_INS: Readonly<Record<string, string>> = {
  'file-source': '../file/index.js',
  'file-sink': '../file/index.js',
  'stdin-source': '../stdio/index.js',
  'stdout-sink': '../stdio/index.js',
  'http-source': '../http/index.js',
  'http-sink': '../http/index.js',
  'postgres-source': '../postgres/index.js',
  'postgres-sink': '../postgres/index.js',
  'datagen-source': '../datagen/index.js',
  'log-mirror-sink': '../log-mirror/index.js',
}

/** The names of the built-in connectors. */
export const builtInConnectors: readonly string[] = Object.keys(BUILT_INS)

/**
 * Loads a connector by reference: a built-in's name (`file-source`), a path to a plugin's file
 * or package directory (`./plugins/acme`, absolute or relative to `baseDir`), or an installed npm
 * package's name (`tributary-connector-acme`, resolved from `baseDir`). The module's default
 * export, or its export named `connector`, or its one connector export, is the connector.
 *
 * @example
 * const fileSource = await loadConnector('file-source', process.cwd())
 * const acme = await loadConnector('./examples/connector-plugin', process.cwd())
 */
export async function loadConnector(reference: string, baseDir: string, field = 'connector'): Promise<Connector> {
  if (typeof reference !== 'string' || reference === '') throw new ConfigError(field, `must name a built-in connector (${builtInConnectors.join(', ')}), a path to a plugin, or a package name`)
  const builtIn = BUILT_INS[reference]
  if (builtIn !== undefined) {
    let module: Record<string, unknown>
    try {
      module = (await import(builtIn)) as Record<string, unknown>
    } catch (error) {
      throw new ConfigError(field, `the built-in connector ${reference} cannot be loaded: ${(error as Error).message}`)
    }
    const found = Object.values(module).find((value) => isConnector(value) && value.name === reference)
    if (found === undefined) throw new ConfigError(field, `the built-in connector ${reference} is missing from its module`)
    return found as Connector
  }
  const entry = isPath(reference) ? entryOfPath(path.resolve(baseDir, reference), field) : entryOfPackage(reference, baseDir, field)
  let module: Record<string, unknown>
  try {
    module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>
  } catch (error) {
    throw new ConfigError(field, `cannot load the plugin ${reference} (${entry}): ${(error as Error).message}`)
  }
  return pick(module, reference, field)
}

function isPath(reference: string): boolean {
  return reference.startsWith('.') || path.isAbsolute(reference)
}

function pick(module: Record<string, unknown>, reference: string, field: string): Connector {
  if (isConnector(module.default)) return module.default
  if (isConnector(module.connector)) return module.connector
  const connectors = Object.values(module).filter(isConnector)
  if (connectors.length === 1) return connectors[0]!
  if (connectors.length > 1) throw new ConfigError(field, `the plugin ${reference} exports several connectors (${connectors.map((c) => c.name).join(', ')}); export one as default`)
  throw new ConfigError(field, `the plugin ${reference} exports no connector: its default export must be made with defineSource or defineSink`)
}

function isConnector(value: unknown): value is Connector {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Partial<Connector>
  return (candidate.kind === 'source' || candidate.kind === 'sink') && typeof candidate.name === 'string' && typeof candidate.start === 'function' && typeof candidate.config === 'object'
}

/** A file path as is; a directory through its package.json (`exports["."]`, then `main`), else its index file. */
function entryOfPath(target: string, field: string): string {
  if (!existsSync(target)) throw new ConfigError(field, `no plugin at ${target}`)
  if (!statSync(target).isDirectory()) return target
  const manifest = path.join(target, 'package.json')
  if (existsSync(manifest)) {
    const entry = entryOfManifest(JSON.parse(readFileSync(manifest, 'utf8')) as Manifest)
    if (entry !== undefined) return path.resolve(target, entry)
  }
  for (const index of ['index.ts', 'index.js', 'src/index.ts', 'src/index.js']) if (existsSync(path.join(target, index))) return path.join(target, index)
  throw new ConfigError(field, `the plugin directory ${target} has no package.json entry and no index file`)
}

function entryOfPackage(name: string, baseDir: string, field: string): string {
  // Look for <node_modules>/<name>/package.json up from baseDir, as Node does, without going
  // through the package's `exports` (which seldom lists ./package.json).
  const require = createRequire(path.join(baseDir, 'noop.js'))
  const searched = /^(@[a-z0-9._~-]+\/)?[a-z0-9._~-][a-z0-9._~-]*$/i.test(name) ? (require.resolve.paths(name) ?? []) : []
  for (const dir of searched) {
    const manifest = path.join(dir, name, 'package.json')
    if (existsSync(manifest)) return entryOfPath(path.dirname(manifest), field)
  }
  throw new ConfigError(field, `${JSON.stringify(name)} is neither a built-in connector (${builtInConnectors.join(', ')}) nor an installed package (npm install ${name}), nor a path (start it with ./)`)
}

interface Manifest {
  readonly exports?: unknown
  readonly main?: string
}

function entryOfManifest(manifest: Manifest): string | undefined {
  const root = typeof manifest.exports === 'object' && manifest.exports !== null && '.' in manifest.exports ? (manifest.exports as Record<string, unknown>)['.'] : manifest.exports
  const chosen = conditional(root)
  return chosen ?? manifest.main
}

function conditional(target: unknown): string | undefined {
  if (typeof target === 'string') return target
  if (typeof target !== 'object' || target === null) return undefined
  const conditions = target as Record<string, unknown>
  for (const condition of ['import', 'node', 'default']) {
    const chosen = conditional(conditions[condition])
    if (chosen !== undefined) return chosen
  }
  return undefined
}
