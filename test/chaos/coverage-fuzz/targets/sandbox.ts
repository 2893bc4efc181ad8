/**
 * The directory the config targets may touch: plugin paths and secret files are resolved inside
 * it, so an input can never make a target import or read a file of the machine. The runner
 * creates it (with the files below) and names it in TRIBUTARY_FUZZ_SANDBOX.
 *
 * @example
 * const file = insideSandbox('../../etc/passwd') // '<sandbox>/outside-the-sandbox'
 */
import fs from 'node:fs'
import path from 'node:path'

/** The secret the sandbox's secret file and the fuzzing environment variable hold; it must never show in a message. */
export const SANDBOX_SECRET = 'coverage-fuzz-secret-8c1f'
export const SECRET_VARIABLE = 'TRIBUTARY_FUZZ_SECRET'

/**
 * The sandbox directory (TRIBUTARY_FUZZ_SANDBOX).
 *
 * @example
 * await parseConnectConfig(input, sandboxDir())
 */
export function sandboxDir(): string {
  const dir = process.env.TRIBUTARY_FUZZ_SANDBOX
  if (dir === undefined || !path.isAbsolute(dir)) throw new Error('TRIBUTARY_FUZZ_SANDBOX must name the sandbox directory')
  return dir
}

/**
 * Fills a new sandbox: a secret file, an empty one, plugins that are not connectors (a module
 * without one, a file that is not JavaScript, a package whose entry is missing, one whose
 * `exports` is odd).
 *
 * @example
 * fillSandbox(fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-coverage-fuzz-')))
 */
export function fillSandbox(dir: string): void {
  const write = (name: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    fs.writeFileSync(path.join(dir, name), text)
  }
  write('secret.txt', `${SANDBOX_SECRET}\n`)
  write('empty.txt', '')
  write('no-connector.mjs', 'export const answer = 42\n')
  write('not-javascript.mjs', '{ this is not: javascript\n')
  write('plugin/package.json', JSON.stringify({ name: 'plugin', main: './missing.js' }))
  write('odd-exports/package.json', JSON.stringify({ name: 'odd-exports', exports: { '.': { require: './index.cjs', import: null } } }))
  write('odd-exports/index.cjs', 'module.exports = { connector: { kind: "source" } }\n')
}

/**
 * `reference` when it resolves inside the sandbox, else a path in it that does not exist.
 *
 * @example
 * insideSandbox('./no-connector.mjs') // '<sandbox>/no-connector.mjs'
 */
export function insideSandbox(reference: string): string {
  const dir = sandboxDir()
  const resolved = path.resolve(dir, reference)
  return resolved === dir || resolved.startsWith(dir + path.sep) ? reference : './outside-the-sandbox'
}
