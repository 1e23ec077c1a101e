// Seeds the quota tiers of the manifest, the user population (deterministic ids and tiers from
// `quotas.seed`) and one API key per user. Only key hashes go to PostgreSQL; the keys issued now
// are returned so the caller can write them with writeCredentials. Idempotent: a second run with
// the keys of the first changes nothing; a user whose key is not known any more gets a new one
// and the old one is revoked.
import type pg from 'pg'
import {generateApiKey, parseApiKey, secretMatches, type SeededUser} from '../stack/credentials.js'
import type {QuotaSeed, QuotaTier, StackManifest} from '../stack/manifest.js'
import {pickWeighted, seededRandom} from '../random/seeded.js'

export interface SeedResult {
  tiers: Array<{name: string; action: 'created' | 'updated' | 'unchanged'}>
  usersCreated: number
  usersRetiered: number
  keysIssued: number
  keysRevoked: number
  /** Every seeded user with a working key: the known ones kept, the new ones issued. */
  users: SeededUser[]
}

/** The seeded population: `user-00001`…, each with a tier drawn from the mix by the seed. */
export function seededUsers(seed: QuotaSeed): Array<{userId: string; tier: string}> {
  const random = seededRandom(seed.seed)
  const width = Math.max(5, String(seed.users).length)
  const mix = Object.fromEntries(Object.entries(seed.mix).filter(([, weight]) => weight > 0))
  if (Object.keys(mix).length === 0) return []
  return Array.from({length: seed.users}, (_, index) => ({
    userId: `user-${String(index + 1).padStart(width, '0')}`,
    tier: pickWeighted(random, mix),
  }))
}

export async function seedAccounts(
  client: pg.ClientBase,
  quotas: StackManifest['quotas'],
  knownKeys: SeededUser[] = [],
): Promise<SeedResult> {
  await client.query('BEGIN')
  try {
    const tiers = await upsertTiers(client, quotas.tiers)
    const population = seededUsers(quotas.seed)
    const users = await client.query<{inserted: boolean}>(
      `INSERT INTO users (user_id, tier) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (user_id) DO UPDATE SET tier = EXCLUDED.tier WHERE users.tier IS DISTINCT FROM EXCLUDED.tier
       RETURNING (xmax = 0) AS inserted`,
      [population.map((user) => user.userId), population.map((user) => user.tier)],
    )
    const usersCreated = users.rows.filter((row) => row.inserted).length
    const keys = await issueKeys(client, population, knownKeys)
    await client.query('COMMIT')
    return {tiers, usersCreated, usersRetiered: users.rows.length - usersCreated, ...keys}
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {}) // the first error is the one to report; a connection that cannot roll back is gone, which aborts the transaction too
    throw error
  }
}

async function upsertTiers(client: pg.ClientBase, tiers: QuotaTier[]): Promise<SeedResult['tiers']> {
  const existing = await client.query<Record<string, string | number | boolean>>('SELECT * FROM tiers')
  const byName = new Map(existing.rows.map((row) => [String(row.name), row]))
  const result: SeedResult['tiers'] = []
  for (const tier of tiers) {
    const values = [
      tier.name,
      tier.daily.requests,
      tier.daily.tokens,
      tier.monthly.requests,
      tier.monthly.tokens,
      tier.rateLimit.perSecond,
      tier.rateLimit.burst,
      tier.priority,
      tier.readsAllUsers ?? false,
    ]
    const row = byName.get(tier.name)
    const same =
      row &&
      values.slice(1).every((value, index) => {
        const stored = row[TIER_COLUMNS[index + 1]!]
        return typeof value === 'boolean' ? stored === value : Number(stored) === value
      })
    if (same) {
      result.push({name: tier.name, action: 'unchanged'})
      continue
    }
    await client.query(
      `INSERT INTO tiers (${TIER_COLUMNS.join(', ')}) VALUES (${TIER_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')})
       ON CONFLICT (name) DO UPDATE SET ${TIER_COLUMNS.slice(1)
         .map((column) => `${column} = EXCLUDED.${column}`)
         .join(', ')}`,
      values,
    )
    result.push({name: tier.name, action: row ? 'updated' : 'created'})
  }
  return result
}

const TIER_COLUMNS = [
  'name',
  'daily_requests',
  'daily_tokens',
  'monthly_requests',
  'monthly_tokens',
  'rate_per_second',
  'rate_burst',
  'priority',
  'reads_all_users',
]

async function issueKeys(
  client: pg.ClientBase,
  population: Array<{userId: string; tier: string}>,
  knownKeys: SeededUser[],
): Promise<Pick<SeedResult, 'keysIssued' | 'keysRevoked' | 'users'>> {
  const active = await client.query<{key_id: string; user_id: string; key_hash: Buffer}>(
    'SELECT key_id, user_id, key_hash FROM api_keys WHERE revoked_at IS NULL AND user_id = ANY($1::text[])',
    [population.map((user) => user.userId)],
  )
  const activeById = new Map(active.rows.map((row) => [row.key_id, row]))
  const knownByUser = new Map(knownKeys.map((known) => [known.userId, known.apiKey]))
  const users: SeededUser[] = []
  const issued: Array<{keyId: string; userId: string; hash: Buffer}> = []
  for (const {userId, tier} of population) {
    const known = knownByUser.get(userId)
    const parsed = known ? parseApiKey(known) : undefined
    const stored = parsed ? activeById.get(parsed.keyId) : undefined
    if (known && parsed && stored && stored.user_id === userId && secretMatches(parsed.secret, stored.key_hash)) {
      users.push({userId, tier, apiKey: known})
      continue
    }
    const {apiKey, keyId, hash} = generateApiKey()
    issued.push({keyId, userId, hash})
    users.push({userId, tier, apiKey})
  }
  let keysRevoked = 0
  if (issued.length > 0) {
    const revoked = await client.query(
      'UPDATE api_keys SET revoked_at = now() WHERE revoked_at IS NULL AND user_id = ANY($1::text[])',
      [issued.map((key) => key.userId)],
    )
    keysRevoked = revoked.rowCount ?? 0
    await client.query(
      `INSERT INTO api_keys (key_id, user_id, key_hash, label) SELECT k, u, h, 'seeded' FROM unnest($1::text[], $2::text[], $3::bytea[]) AS t(k, u, h)`,
      [issued.map((key) => key.keyId), issued.map((key) => key.userId), issued.map((key) => key.hash)],
    )
  }
  return {keysIssued: issued.length, keysRevoked, users}
}
