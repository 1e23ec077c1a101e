// The token of the gateway's admin API (switches, cache flush, content drop), which answers nothing
// without it. `up` makes one on a stack's first start (local, compose) or records the one the user
// gives (external), in `<state dir>/admin-token` (mode 0600, beside credentials.json and sharing its
// fate: `down` keeps it, `down --volumes` on the local driver deletes it with the state directory),
// and hands it to the gateway as ADMIN_TOKEN; `bench` reads it back to call the admin API.
// STREAMCTL_ADMIN_TOKEN gives it for a stack streamctl did not start (external, a foreign `admin:`).
import {randomBytes} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {writePrivateFile} from './state-dir.js'

export const ADMIN_TOKEN_FILE = 'admin-token'
export const ADMIN_TOKEN_ENV = 'STREAMCTL_ADMIN_TOKEN'
/** The service that serves the admin API, and so the one given ADMIN_TOKEN. */
export const ADMIN_API_SERVICE = 'gateway'

export function generateAdminToken(): string {
  return randomBytes(32).toString('base64url')
}

export function adminTokenFile(stateDir: string): string {
  return path.join(stateDir, ADMIN_TOKEN_FILE)
}

/** The stack's recorded token; undefined when `up` has not made or recorded one. */
export async function readAdminToken(stateDir: string): Promise<string | undefined> {
  const text = await readFile(adminTokenFile(stateDir), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  return text?.trim() || undefined
}

export function writeAdminToken(stateDir: string, token: string): Promise<string> {
  return writePrivateFile(stateDir, ADMIN_TOKEN_FILE, `${token}\n`)
}

/** The recorded token, or a new one written now (`created`: the stack's services started before it do not have it). */
export async function ensureAdminToken(stateDir: string): Promise<{token: string; created: boolean}> {
  const existing = await readAdminToken(stateDir)
  if (existing) return {token: existing, created: false}
  const token = generateAdminToken()
  await writeAdminToken(stateDir, token)
  return {token, created: true}
}
