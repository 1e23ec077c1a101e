// Invalidates cached recommendations. One user's entry goes when their read model changes; every
// entry goes when new content is announced, either all at once (the invalidation storm) or
// gradually: each entry gets its own expiry spread over a window (the intervention).
import type {Redis} from 'ioredis'
import {recommendationKey, recommendationPattern} from '../../lib/streamflow/cache-keys.js'
import {planInvalidation, type InvalidationMode} from '../../lib/streamflow/invalidation.js'

export interface InvalidationReport {
  mode: InvalidationMode
  keys: number
  spreadMs: number
}

export class RecommendationCacheInvalidator {
  constructor(
    private readonly redis: Redis,
    /** The client's keyPrefix: SCAN sees absolute keys, every other command adds the prefix. */
    private readonly keyPrefix: string,
  ) {}

  async forUsers(users: readonly string[]): Promise<number> {
    if (users.length === 0) return 0
    return this.redis.del(...users.map((user) => recommendationKey(user)))
  }

  async all(mode: InvalidationMode, spreadMs: number, salt: string): Promise<InvalidationReport> {
    const keys = await this.cachedKeys()
    const plan = planInvalidation(keys, mode, spreadMs, salt)
    for (let start = 0; start < plan.length; start += 500) {
      const pipeline = this.redis.pipeline()
      for (const step of plan.slice(start, start + 500)) {
        // Gradual never extends an entry's life: PEXPIRE … LT only shortens it.
        if (step.expireAfterMs === 0) pipeline.del(step.key)
        else pipeline.pexpire(step.key, step.expireAfterMs, 'LT')
      }
      await pipeline.exec()
    }
    return {mode, keys: keys.length, spreadMs: mode === 'gradual' ? spreadMs : 0}
  }

  /** Every cached recommendation key, relative to the prefix. */
  private async cachedKeys(): Promise<string[]> {
    const keys: string[] = []
    let cursor = '0'
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', recommendationPattern(this.keyPrefix), 'COUNT', 1000)
      cursor = next
      for (const key of batch) keys.push(key.slice(this.keyPrefix.length))
    } while (cursor !== '0')
    return keys
  }
}
