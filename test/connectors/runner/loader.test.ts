import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConnector, parseConnectConfig } from '../../../connectors/index.js'

let dir = ''
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tributary-plugin-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const pluginSource = (api: string) => `import { defineSink, field } from '${api}'
export default defineSink({ name: 'acme-sink', config: { url: field.string() }, start: () => ({ async put() {}, async flush() {} }) })
`
const api = path.resolve('connectors/index.ts')

describe('loading connectors', () => {
  it('loads a plugin by the path of its file or of its package directory', async () => {
    writeFileSync(path.join(dir, 'plugin.ts'), pluginSource(api))
    expect((await loadConnector('./plugin.ts', dir)).name).toBe('acme-sink')
    mkdirSync(path.join(dir, 'pkg', 'src'), { recursive: true })
    writeFileSync(path.join(dir, 'pkg', 'package.json'), JSON.stringify({ name: 'acme', type: 'module', exports: { '.': { import: './src/main.ts' } } }))
    writeFileSync(path.join(dir, 'pkg', 'src', 'main.ts'), pluginSource(api))
    const loaded = await loadConnector('./pkg', dir)
    expect([loaded.kind, loaded.name]).toEqual(['sink', 'acme-sink'])
  })

  it('loads an installed package by name', async () => {
    mkdirSync(path.join(dir, 'node_modules', 'tributary-connector-acme'), { recursive: true })
    writeFileSync(path.join(dir, 'node_modules', 'tributary-connector-acme', 'package.json'), JSON.stringify({ name: 'tributary-connector-acme', type: 'module', exports: { '.': './index.ts' } }))
    writeFileSync(path.join(dir, 'node_modules', 'tributary-connector-acme', 'index.ts'), pluginSource(api))
    expect((await loadConnector('tributary-connector-acme', dir)).name).toBe('acme-sink')
  })

  it('says clearly what is wrong with a reference', async () => {
    await expect(loadConnector('no-such-connector', dir)).rejects.toThrow(/"no-such-connector" is neither a built-in connector \(file-source, .*\) nor an installed package/)
    await expect(loadConnector('./missing', dir)).rejects.toThrow(/no plugin at .*missing/)
    writeFileSync(path.join(dir, 'empty.ts'), 'export const nothing = 1\n')
    await expect(loadConnector('./empty.ts', dir)).rejects.toThrow(/exports no connector/)
  })

  it('checks a connect config, naming the field that is wrong', async () => {
    writeFileSync(path.join(dir, 'plugin.ts'), pluginSource(api))
    await expect(parseConnectConfig({ connectors: [] }, dir)).rejects.toThrow('connectors: must be a list of at least one connector')
    await expect(parseConnectConfig({ log: { data: 'x' }, connectors: [{ name: 'a', connector: './plugin.ts' }] }, dir)).rejects.toThrow('connectors.a.topics: is required: the list of topics the sink acme-sink reads')
    await expect(parseConnectConfig({ connectors: [{ name: 'a', connector: './plugin.ts', topics: ['t'], colour: 1 }] }, dir)).rejects.toThrow(/connectors\[0\]\.colour: is not a connector setting/)
    await expect(parseConnectConfig({ log: { mysql: 'x' }, connectors: [] }, dir)).rejects.toThrow(/^log: must be/)
    const parsed = await parseConnectConfig({ log: { data: './data' }, connectors: [{ name: 'a', connector: './plugin.ts', topics: ['t'], config: { url: 'http://x' } }] }, dir)
    expect(parsed.log).toEqual({ data: path.join(dir, 'data') })
    expect(parsed.connectors[0]!.connector.name).toBe('acme-sink')
  })
})

describe('config schemas', () => {
  it('refuse a setting named like an Object property (constructor, toString) as unknown', async () => {
    const { parseConfig, field } = await import('../../../connectors/index.js')
    expect(() => parseConfig({ path: field.string() }, { path: 'x', constructor: 1 }, 'c')).toThrow('c.constructor: is not a setting of this connector; it takes path')
  })
})
