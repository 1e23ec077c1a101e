// Connections to the stack's quota stores — PostgreSQL and Redis (with the stack's key prefix, as
// the services use it) — for the accounting after a run.
import {StreamctlError} from '../errors.js'
import type {QuotaStores} from './accounting.js'

/** Where the quota stores are: the stack's endpoints carry these fields. */
export interface QuotaStoreEndpoints {
  databaseUrl: string
  redisUrl: string
  redisKeyPrefix: string
}

export async function openQuotaStores(endpoints: QuotaStoreEndpoints): Promise<QuotaStores & {close(): Promise<void>}> {
  const [{default: pg}, {Redis}] = await Promise.all([import('pg'), import('ioredis')])
  const pool = new pg.Pool({connectionString: endpoints.databaseUrl, max: 2})
  const redis = new Redis(endpoints.redisUrl, {
    keyPrefix: endpoints.redisKeyPrefix,
    lazyConnect: true,
    maxRetriesPerRequest: 2,
  })
  try {
    await redis.connect()
    await pool.query('SELECT 1')
  } catch (error) {
    redis.disconnect()
    await pool.end().catch(() => {}) // the connect error below is the one to report
    throw new StreamctlError(
      'QUOTA_READ_FAILED',
      `cannot reach the quota stores for accounting: ${(error as Error).message}`,
      {cause: error, hint: 'Check `streamctl status`; the run data is still written.'},
    )
  }
  return {
    pg: pool,
    redis,
    close: async () => {
      redis.disconnect()
      await pool.end()
    },
  }
}
