/**
 * Coverage-guided target: connector config parsing (`parseConfig`) of a schema with every field
 * type, on `JSON.parse` of the input. Allowed: a SyntaxError from that JSON.parse (the input is
 * not JSON), a ConfigError naming a field of the config; anything else is a finding, and so is a
 * config whose values lack their field's type, or a secret's value in a message or a config.
 *
 * The runner sets TRIBUTARY_FUZZ_SECRET to the sandbox's secret for `{"env": …}` to find, and
 * secret files are read inside the sandbox only (sandbox.ts): `{"file": X}` keeps X when it
 * resolves there, and is pointed at a missing file otherwise.
 *
 * @example
 * fuzz(Buffer.from('{"path":"in.jsonl","every":"5s","password":{"env":"TRIBUTARY_FUZZ_SECRET"}}'))
 */
import { ConfigError } from '../../../../core/errors.js'
import { field, parseConfig } from '../../../../connectors/api/config-schema.js'
import { Secret } from '../../../../connectors/api/secret.js'
import { insideSandbox, SANDBOX_SECRET, SECRET_VARIABLE } from './sandbox.js'
import { InvariantBroken } from './typed-errors.js'

const schema = {
  path: field.string(),
  name: field.string({ pattern: /^[a-z][a-z0-9-]*$/, optional: true }),
  note: field.string({ nonEmpty: false, optional: true }),
  format: field.oneOf(['jsonl', 'csv'] as const, { default: 'jsonl' }),
  batch: field.integer({ min: 1, max: 10_000, optional: true }),
  ratio: field.number({ min: 0, max: 1, default: 0.5 }),
  follow: field.boolean({ default: true }),
  every: field.duration({ default: '1s' }),
  timeout: field.duration({ optional: true }),
  password: field.secret({ optional: true }),
  columns: field.list(field.string(), { optional: true, minLength: 1 }),
  ports: field.list(field.integer({ min: 1, max: 65_535 }), { optional: true }),
  extra: field.json({ optional: true }),
}
const PATH = 'connectors.fuzz.config'

/**
 * One input: the JSON text of a connector's config.
 *
 * @example
 * fuzz(Buffer.from('{"path":"","batch":1.5}')) // a ConfigError: an answer, not a finding
 */
export function fuzz(data: Buffer): void {
  let input: unknown
  try {
    input = JSON.parse(data.toString('utf8'))
  } catch (error) {
    if (error instanceof SyntaxError) return
    throw error
  }
  confineSecretFile(input)
  let config: ReturnType<typeof parseConfig<typeof schema>>
  try {
    config = parseConfig(schema, input, PATH)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    if (error.field !== PATH && !error.field.startsWith(`${PATH}.`)) throw new InvariantBroken(`ConfigError names ${JSON.stringify(error.field)}, not a field of ${PATH}`)
    if (error.message.includes(SANDBOX_SECRET)) throw new InvariantBroken(`a ConfigError shows the secret: ${error.message}`)
    return
  }
  const problems = [
    typeof config.path === 'string' && config.path !== '' ? '' : 'path',
    config.name === undefined || /^[a-z][a-z0-9-]*$/.test(config.name) ? '' : 'name',
    config.format === 'jsonl' || config.format === 'csv' ? '' : 'format',
    config.batch === undefined || (Number.isSafeInteger(config.batch) && config.batch >= 1 && config.batch <= 10_000) ? '' : 'batch',
    Number.isFinite(config.ratio) && config.ratio >= 0 && config.ratio <= 1 ? '' : 'ratio',
    typeof config.follow === 'boolean' ? '' : 'follow',
    Number.isSafeInteger(config.every) && config.every >= 0 ? '' : 'every',
    config.timeout === undefined || (Number.isSafeInteger(config.timeout) && config.timeout >= 0) ? '' : 'timeout',
    config.password === undefined || config.password instanceof Secret ? '' : 'password',
    config.columns === undefined || (config.columns.length >= 1 && config.columns.every((column) => typeof column === 'string' && column !== '')) ? '' : 'columns',
    config.ports === undefined || config.ports.every((port) => Number.isSafeInteger(port) && port >= 1 && port <= 65_535) ? '' : 'ports',
    config.extra === undefined || (typeof config.extra === 'object' && config.extra !== null && !Array.isArray(config.extra)) ? '' : 'extra',
    JSON.stringify(config).includes(SANDBOX_SECRET) ? 'a secret shows in the config' : '',
  ].filter((problem) => problem !== '')
  if (problems.length > 0) throw new InvariantBroken(`parseConfig accepted values without their field's type: ${problems.join(', ')}`)
}

function confineSecretFile(input: unknown): void {
  if (typeof input !== 'object' || input === null) return
  const password = (input as Record<string, unknown>).password
  if (typeof password !== 'object' || password === null || Array.isArray(password)) return
  const source = password as Record<string, unknown>
  if (typeof source.file === 'string' && source.file !== '') source.file = insideSandbox(source.file)
}

/**
 * Configs to start from: a full valid one, one with each kind of mistake.
 *
 * @example
 * for (const seed of seeds()) fuzz(seed) // none throws
 */
export function seeds(): Buffer[] {
  const configs: unknown[] = [
    { path: 'in.jsonl', name: 'orders', note: '', format: 'csv', batch: 500, ratio: 0.25, follow: false, every: '250ms', timeout: 1500, password: { env: SECRET_VARIABLE }, columns: ['id', 'total'], ports: [80, 443], extra: { a: [1] } },
    { path: 'in.jsonl', password: { file: './secret.txt' }, every: '1.5h' },
    { path: 'in.jsonl', password: { file: './empty.txt' }, every: '2d', timeout: '10s' },
    { path: '', format: 'tsv', batch: 0, ratio: 2, follow: 'yes', every: 'soon', password: 'literal', columns: [], ports: [0], extra: [] },
    { path: 'x', unknown: true },
    { path: 'x', every: -1, timeout: 1e300, password: { env: 'TRIBUTARY_FUZZ_UNSET' } },
  ]
  return configs.map((config) => Buffer.from(JSON.stringify(config)))
}

/**
 * The schema's field names and the words its values take, for libFuzzer's dictionary.
 *
 * @example
 * dictionary().includes('"password"') // true
 */
export function dictionary(): string[] {
  const words = [...Object.keys(schema), 'env', 'file', 'jsonl', 'csv', SECRET_VARIABLE, './secret.txt', './empty.txt']
  return [...words.map((word) => JSON.stringify(word)), 'ms', 's', 'm', 'h', 'd', '1.5', '-1', '1e309', 'true', 'null', '[]', '{}']
}
