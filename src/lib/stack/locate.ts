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

export function resolveStackDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (flag) return path.resolve(cwd, flag)
  const fromEnv = env[STACK_ENV]
  if (fromEnv) return path.resolve(cwd, fromEnv)
  if (existsSync(path.join(cwd, MANIFEST_FILE))) return cwd
  return REFERENCE_STACK_DIR
}
