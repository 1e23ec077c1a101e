// Which stack a command works on: --stack DIR, else STREAMCTL_STACK, else ./stack.yaml in the
// current directory, else the reference stack shipped with streamctl.
import {existsSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {MANIFEST_FILE} from './load-stack.js'

export const STACK_ENV = 'STREAMCTL_STACK'

/** The package root, found from this file both in dist/ and when run from src/ in development. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

export const REFERENCE_STACK_DIR = path.join(PACKAGE_ROOT, 'stacks', 'reference')

export function resolveStackDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string {
  if (flag) return path.resolve(cwd, flag)
  const fromEnv = env[STACK_ENV]
  if (fromEnv) return path.resolve(cwd, fromEnv)
  if (existsSync(path.join(cwd, MANIFEST_FILE))) return cwd
  return REFERENCE_STACK_DIR
}

/**
 * The stack a service belongs to. The local driver and compose set STREAMCTL_STACK to the stack's
 * name, so besides a directory it may be a name: the directory is then read from that stack's
 * state file, and the reference stack is used when there is none (the container image).
 */
export async function resolveServiceStackDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (flag) return path.resolve(flag)
  const value = env[STACK_ENV]
  if (!value) return resolveStackDir(undefined, env)
  const asDir = path.resolve(value)
  if (existsSync(path.join(asDir, MANIFEST_FILE))) return asDir
  const {stateDirFor} = await import('./state-dir.js')
  const {readState} = await import('./state.js')
  const state = await readState(stateDirFor(value, env)).catch(() => undefined) // no state under that name: fall back to the reference stack
  return state?.stackDir ?? REFERENCE_STACK_DIR
}
