import type { App } from './app.js'

/**
 * What the `tributary` command does when an app file it imported starts an app: `tributary
 * describe` prints the app's topology instead of running it; `tributary run` may watch it. Set
 * with `setLaunchHook` before the app file is imported; apps never call this.
 */
export type LaunchHook = (app: App) => Promise<void>

const HOOK = Symbol.for('tributary.launchHook')
type WithHook = { [HOOK]?: LaunchHook }

/**
 * Installs (or with undefined, removes) the hook `App.start()` calls first, before it opens
 * its log. A hook that never resolves keeps the app from starting.
 *
 * @example
 * setLaunchHook(async (app) => { console.log(app.describe().text); process.exit(0) })
 * await import(pathToFileURL(appFile).href)
 */
export function setLaunchHook(hook: LaunchHook | undefined): void {
  if (hook === undefined) delete (globalThis as WithHook)[HOOK]
  else (globalThis as WithHook)[HOOK] = hook
}

/** The installed hook, if any. */
export function launchHook(): LaunchHook | undefined {
  return (globalThis as WithHook)[HOOK]
}
