/**
 * How to start Jazzer.js (a libFuzzer-based, coverage-guided fuzzer for Node) on this machine,
 * with our TypeScript loaded through tsx: Jazzer's ESM loader hook instruments each module tsx
 * has compiled, so coverage is of the real source files, no bundle in between.
 *
 * Jazzer.js 4 ships its native addon prebuilt against glibc 2.38 and libstdc++ 13: on an older
 * system (Debian 12 has glibc 2.36, GCC 12) it does not load ("version `GLIBC_2.38' not found").
 * It needs only three symbols of those versions: the C23 `__isoc23_strtol` and
 * `__isoc23_strtoul` (strtol and strtoul, plus `0b` prefixes under base 0 or 2, which the addon
 * never parses) and `std::ios_base_library_init` (a link-time marker; the iostreams are set up by
 * the preloaded library instead). So, when the addon does not load as shipped, a copy of it is
 * made with those version needs marked weak (elf-version-needs.ts), a small library defining the
 * three symbols is compiled with the system's C compiler and preloaded (LD_PRELOAD), and a
 * `--require` script points Jazzer's `require` of the addon at the copy. Everything goes to
 * `.cache/coverage-fuzz/native`. When even that does not load, `prepareJazzer` throws with the
 * loader's own words.
 *
 * @example
 * const runtime = prepareJazzer()
 * spawn(process.execPath, [...runtime.nodeArgs, 'target.fuzz.js', '--', '-runs=1000'], { env: { ...process.env, ...runtime.env } })
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { versionNeeds } from './elf-version-needs.js'

/** The repository's root. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..')
const NATIVE_DIR = path.join(REPO_ROOT, '.cache', 'coverage-fuzz', 'native')
const ADDON_VARIABLE = 'TRIBUTARY_JAZZER_ADDON'
/** The versions the compatibility library stands in for. */
const SHIMMED_VERSIONS = new Set(['GLIBC_2.38', 'GLIBCXX_3.4.32'])

const SHIM_SOURCE = `/* Stand-ins for the glibc 2.38 and libstdc++ 13 symbols Jazzer.js's prebuilt addon needs. */
#include <stdlib.h>
long __isoc23_strtol(const char *text, char **end, int base) { return strtol(text, end, base); }
unsigned long __isoc23_strtoul(const char *text, char **end, int base) { return strtoul(text, end, base); }
extern void _ZNSt8ios_base4InitC1Ev(void *self);
static char ios_base_init_object;
void _ZSt21ios_base_library_initv(void) {}
__attribute__((constructor)) static void initialise_iostreams(void) { _ZNSt8ios_base4InitC1Ev(&ios_base_init_object); }
`

const redirectSource = (addonName: string): string => `// Loads Jazzer.js's addon from the copy whose glibc version needs are weak (see jazzer-runtime.ts).
'use strict'
const dlopen = process.dlopen
process.dlopen = function (module, filename, ...rest) {
  const replacement = process.env.${ADDON_VARIABLE}
  return dlopen.call(this, module, replacement !== undefined && filename.endsWith(${JSON.stringify(addonName)}) ? replacement : filename, ...rest)
}
`

/** What starting Jazzer takes. */
export interface JazzerRuntime {
  /** Arguments to node before the fuzz target: preloads, tsx, and Jazzer's CLI. */
  readonly nodeArgs: readonly string[]
  /** Variables to add to the environment. */
  readonly env: Readonly<Record<string, string>>
  /** How the addon loads: `as shipped`, or through the compatibility layer and why. */
  readonly addon: string
}

/**
 * Finds Jazzer.js and makes its native addon loadable (see the file's comment); throws when it
 * cannot, with the loader's message.
 *
 * @example
 * console.log(prepareJazzer().addon) // 'compatibility layer (…GLIBC_2.38 not found…)'
 */
export function prepareJazzer(): JazzerRuntime {
  const require = createRequire(import.meta.url)
  const cli = require.resolve('@jazzer.js/core/dist/cli.js')
  const tsx = pathToFileURL(require.resolve('tsx')).href
  const addonName = `fuzzer-${process.platform}-${process.arch}.node`
  const addon = path.join(path.dirname(require.resolve('@jazzer.js/fuzzer/package.json')), 'prebuilds', addonName)
  const shipped = loadProblem(addon, {})
  if (shipped === undefined) return { nodeArgs: ['--import', tsx, cli], env: {}, addon: 'as shipped' }

  const elf = fs.readFileSync(addon)
  const key = createHash('sha256').update(elf).update(SHIM_SOURCE).update(redirectSource(addonName)).digest('hex').slice(0, 16)
  const dir = path.join(NATIVE_DIR, key)
  const shim = path.join(dir, 'jazzer-glibc-compat.so')
  const copy = path.join(dir, addonName)
  const redirect = path.join(dir, 'jazzer-addon-redirect.cjs')
  if (!fs.existsSync(dir)) buildCompatibility(dir, elf, addonName, shipped)
  const env = { LD_PRELOAD: shim, [ADDON_VARIABLE]: copy }
  const patched = loadProblem(copy, env)
  if (patched !== undefined) throw new Error(`Jazzer.js's native addon does not load: ${shipped}\nnor through the compatibility layer: ${patched}`)
  return { nodeArgs: ['--require', redirect, '--import', tsx, cli], env, addon: `compatibility layer (as shipped: ${shipped})` }
}

/**
 * Writes the compatibility layer into `dir`: built beside it and renamed into place, so runs
 * that start together never load a half-written file.
 */
function buildCompatibility(dir: string, elf: Buffer, addonName: string, shipped: string): void {
  fs.mkdirSync(NATIVE_DIR, { recursive: true })
  const building = fs.mkdtempSync(`${dir}-building-`)
  try {
    const source = path.join(building, 'jazzer-glibc-compat.c')
    fs.writeFileSync(source, SHIM_SOURCE)
    const compile = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-o', path.join(building, 'jazzer-glibc-compat.so'), source, '-lstdc++'], { encoding: 'utf8' })
    if (compile.error !== undefined || compile.status !== 0) {
      throw new Error(`Jazzer.js's native addon does not load: ${shipped}\nand the compatibility library does not compile: ${compile.error?.message ?? compile.stderr}`)
    }
    const copy = Buffer.from(elf)
    versionNeeds(copy, SHIMMED_VERSIONS)
    fs.writeFileSync(path.join(building, addonName), copy)
    fs.writeFileSync(path.join(building, 'jazzer-addon-redirect.cjs'), redirectSource(addonName))
    fs.renameSync(building, dir)
  } catch (error) {
    fs.rmSync(building, { recursive: true, force: true })
    if (!fs.existsSync(dir)) throw error // else another run built it first
  }
}

/** Why `addon` does not load with every symbol bound now (undefined when it loads). */
function loadProblem(addon: string, env: Readonly<Record<string, string>>): string | undefined {
  const probe = `process.dlopen({ exports: {} }, ${JSON.stringify(addon)}, require('node:os').constants.dlopen.RTLD_NOW)`
  const run = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', env: { ...process.env, ...env } })
  if (run.status === 0) return undefined
  return (run.stderr.split('\n').find((line) => line.startsWith('Error:')) ?? run.stderr.trim()).replace(/^Error: /, '')
}
