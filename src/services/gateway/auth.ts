// API-key authentication: `Authorization: Bearer sctl_<keyId>_<secret>`. The key id finds the
// stored SHA-256 hash; the secret's hash is compared in constant time. Lookups are cached briefly
// (AUTH_CACHE_MS) so a hot key does not cost a database round trip per request.
import type pg from 'pg'
import {parseApiKey, secretMatches} from '../../lib/stack/credentials.js'
import {HttpError} from '../http/errors.js'
import type {TierLimits} from '../quota/quota.js'

export interface Principal {
  keyId: string
  userId: string
  tier: TierLimits
  /** The tier lets the key read (and send events for) any user, not only its own. */
  readsAllUsers: boolean
}

/** Whether a principal may read or act on `userId`'s data: its own user, or any with a tier that grants it. */
export function mayActFor(principal: Principal, userId: string): boolean {
  return principal.userId === userId || principal.readsAllUsers
}

interface KeyRecord {
  hash: Buffer
  principal: Principal
}

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message, {'www-authenticate': 'Bearer'})

export class Authenticator {
  private readonly cache = new Map<string, {record: KeyRecord | undefined; expires: number}>()

  constructor(
    private readonly pool: pg.Pool,
    private readonly cacheMs: number,
  ) {}

  async authenticate(header: string | undefined): Promise<Principal> {
    if (!header) throw unauthorized('missing Authorization header; send Authorization: Bearer <api key>')
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (!match) throw unauthorized('the Authorization header must be "Bearer <api key>"')
    const parsed = parseApiKey(match[1]!)
    if (!parsed) throw unauthorized('malformed API key')
    const record = await this.lookup(parsed.keyId)
    // Unknown ids still pay for a hash comparison, so timing says nothing about which ids exist.
    const matches = secretMatches(parsed.secret, record?.hash ?? EMPTY_HASH)
    if (!record || !matches) throw unauthorized('invalid API key')
    return record.principal
  }

  private async lookup(keyId: string): Promise<KeyRecord | undefined> {
    const now = Date.now()
    const cached = this.cache.get(keyId)
    if (cached && cached.expires > now) return cached.record
    const result = await this.pool
      .query<{
        key_hash: Buffer
        user_id: string
        name: string
        daily_requests: string
        daily_tokens: string
        monthly_requests: string
        monthly_tokens: string
        rate_per_second: string
        rate_burst: number
        priority: number
        reads_all_users: boolean
      }>(
        `SELECT k.key_hash, k.user_id, t.name, t.daily_requests, t.daily_tokens, t.monthly_requests, t.monthly_tokens, t.rate_per_second, t.rate_burst, t.priority, t.reads_all_users
       FROM api_keys k JOIN users u ON u.user_id = k.user_id JOIN tiers t ON t.name = u.tier
       WHERE k.key_id = $1 AND k.revoked_at IS NULL`,
        [keyId],
      )
      .catch(() => {
        throw new HttpError(503, 'unavailable', 'cannot check the API key right now; retry shortly', {'retry-after': 1})
      })
    const row = result.rows[0]
    const record = row
      ? {
          hash: row.key_hash,
          principal: {
            keyId,
            userId: row.user_id,
            tier: {
              name: row.name,
              daily: {requests: Number(row.daily_requests), tokens: Number(row.daily_tokens)},
              monthly: {requests: Number(row.monthly_requests), tokens: Number(row.monthly_tokens)},
              rateLimit: {perSecond: Number(row.rate_per_second), burst: row.rate_burst},
              priority: row.priority,
            },
            readsAllUsers: row.reads_all_users,
          },
        }
      : undefined
    if (this.cache.size > 100_000) this.cache.clear()
    this.cache.set(keyId, {record, expires: now + (record ? this.cacheMs : Math.min(this.cacheMs, 1000))})
    return record
  }
}

const EMPTY_HASH = Buffer.alloc(32)
