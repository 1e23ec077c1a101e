// API keys `provision` generates for the seeded users. Only their SHA-256 hashes go to PostgreSQL;
// the keys themselves are written once to the stack's state directory (mode 0600) so `bench` can
// authenticate as the population. Keys never appear in logs, run records or reports.
import {hash, randomBytes, timingSafeEqual} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {StreamctlError} from '../errors.js'
import {writePrivateFile} from './state-dir.js'

export const CREDENTIALS_FILE = 'credentials.json'
const KEY_PREFIX = 'sctl'

export interface SeededUser {
  userId: string
  tier: string
  apiKey: string
}

export interface Credentials {
  stack: string
  createdAt: string
  users: SeededUser[]
}

/** A new API key `sctl_<keyId>_<secret>`: the key id is public (it is the lookup key), the secret is not. */
export function generateApiKey(): {apiKey: string; keyId: string; hash: Buffer} {
  const keyId = randomBytes(6).toString('hex')
  const secret = randomBytes(24).toString('base64url')
  const apiKey = `${KEY_PREFIX}_${keyId}_${secret}`
  return {apiKey, keyId, hash: hashSecret(secret)}
}

/** Splits a presented key into its id and secret; undefined when it is not shaped like one of ours. */
export function parseApiKey(apiKey: string): {keyId: string; secret: string} | undefined {
  const match = /^sctl_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(apiKey)
  return match ? {keyId: match[1]!, secret: match[2]!} : undefined
}

export function hashSecret(secret: string): Buffer {
  return hash('sha256', secret, 'buffer')
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const presented = hashSecret(secret)
  return storedHash.length === presented.length && timingSafeEqual(presented, storedHash)
}

export function writeCredentials(stateDir: string, credentials: Credentials): Promise<string> {
  return writePrivateFile(stateDir, CREDENTIALS_FILE, `${JSON.stringify(credentials, null, 2)}\n`)
}

export async function readCredentials(stateDir: string): Promise<Credentials> {
  const file = path.join(stateDir, CREDENTIALS_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new StreamctlError('STACK_NOT_READY', `no API keys for this stack (${file} is missing)`, {
      hint: 'Run `streamctl provision` first: it seeds the users and writes their keys there.',
      cause: error,
    })
  }
  return JSON.parse(text) as Credentials
}
