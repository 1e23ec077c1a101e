// Ranks content for one user from the read models: the user's genre affinity (PostgreSQL), a
// vector search of the embedded catalogue against it (simulated latency, optionally served from
// the query-result cache), and the trending counts of the latest windows. The result is stored in
// the `recommendations` read model and returned.
import type {Redis} from 'ioredis'
import type pg from 'pg'
import {setTimeout as sleep} from 'node:timers/promises'
import {cosine, embedAffinity, fnv1a} from '../../lib/streamflow/embedding.js'
import {vectorSearchKey} from '../../lib/streamflow/cache-keys.js'
import {blendWithTrending, nearestContent, type RankedItem, type Similar} from '../../lib/streamflow/ranking.js'
import type {Costs} from '../../lib/streamflow/api.js'
import {
  burnCpu,
  profileQueryLatencyMs,
  vectorSearchLatencyMs,
  WorkerPool,
  type VectorSearchLatency,
} from './bottleneck.js'
import type {CatalogueSnapshot, EmbeddedCatalogue} from './catalogue.js'

export interface EngineOptions {
  limit: number
  trendingWeight: number
  /** How many of the latest trending windows count. */
  trendingWindows: number
  windowMs: number
  /** Nearest items the vector search returns. */
  searchK: number
  vectorSearch: VectorSearchLatency
  cpuIterations: number
  queryCacheTtlSeconds: number
}

export interface EngineSwitches {
  dbDelayMs: number
  queryResultCache: boolean
  /** The calibration's simulated costs; 0: not simulated (vector search: the env's model, in the options). */
  costs: Costs
}

export interface Ranking {
  items: RankedItem[]
  vectorSearch: 'cached' | 'searched'
}

/** Weight of a like against a view in trending counts. */
export const LIKE_TREND_WEIGHT = 2

/** How long the global trending counts are reused before they are read again. */
const TRENDING_REFRESH_MS = 1000

export class RecommendationEngine {
  private searching = 0
  private readonly pool = new WorkerPool()
  private trendingCache: {at: number; value: Promise<Map<string, number>>} | undefined

  constructor(
    private readonly db: pg.Pool,
    private readonly redis: Redis,
    private readonly catalogue: EmbeddedCatalogue,
    private readonly options: EngineOptions,
  ) {}

  /** Vector searches running now. */
  get searchesInFlight(): number {
    return this.searching
  }

  /** Rankings waiting for a worker of the pool: the engine's queue. */
  get queued(): number {
    return this.pool.queued
  }

  /**
   * Ranks in the engine's bounded pool (costs.recommenderWorkers); a full queue throws
   * PoolOverloadedError, and a caller that gave up while it waited (`abandoned`) is not ranked.
   */
  recommend(userId: string, switches: EngineSwitches, abandoned?: () => boolean): Promise<Ranking> {
    const {costs} = switches
    return this.pool.run(
      {workers: costs.recommenderWorkers, queueLimit: costs.recommenderQueueLimit},
      () => this.rank(userId, switches),
      abandoned,
    )
  }

  private async rank(userId: string, switches: EngineSwitches): Promise<Ranking> {
    const {costs} = switches
    const profileDelayMs =
      switches.dbDelayMs + profileQueryLatencyMs(costs.profileQueryMinMs, costs.profileQueryMaxMs, Math.random)
    if (profileDelayMs > 0) await sleep(profileDelayMs)
    const [affinityRows, trending, snapshot] = await Promise.all([
      this.db.query<{genre: string; score: number}>('SELECT genre, score FROM genre_affinity WHERE user_id = $1', [
        userId,
      ]),
      this.trending(),
      this.catalogue.current(),
    ])
    const affinity = embedAffinity(Object.fromEntries(affinityRows.rows.map((row) => [row.genre, Number(row.score)])))
    const {nearest, cached} = await this.vectorSearch(
      affinity,
      snapshot,
      switches.queryResultCache,
      vectorSearchModel(costs, this.options.vectorSearch),
    )
    if (costs.rankingMs > 0) await sleep(costs.rankingMs)
    burnCpu(this.options.cpuIterations)
    const items = blendWithTrending(
      nearest,
      new Map([...trending].filter(([id]) => snapshot.vectors.has(id))),
      (id) => cosine(affinity, snapshot.vectors.get(id)!),
      {trendingWeight: this.options.trendingWeight, limit: this.options.limit},
    )
    await this.db.query(
      'INSERT INTO recommendations (user_id, items, computed_at) VALUES ($1, $2, now()) ON CONFLICT (user_id) DO UPDATE SET items = EXCLUDED.items, computed_at = now()',
      [userId, JSON.stringify(items)],
    )
    return {items, vectorSearch: cached ? 'cached' : 'searched'}
  }

  private async vectorSearch(
    affinity: Float64Array,
    snapshot: CatalogueSnapshot,
    useCache: boolean,
    model: VectorSearchLatency,
  ): Promise<{nearest: Similar[]; cached: boolean}> {
    const key = vectorSearchKey(snapshot.version, querySignature(affinity))
    if (useCache) {
      const hit = await this.redis.get(key)
      if (hit) return {nearest: JSON.parse(hit) as Similar[], cached: true}
    }
    this.searching++
    try {
      const latency = vectorSearchLatencyMs(this.searching, model)
      if (latency > 0) await sleep(latency)
      const nearest = nearestContent(affinity, snapshot.candidates, this.options.searchK)
      if (useCache) await this.redis.set(key, JSON.stringify(nearest), 'EX', this.options.queryCacheTtlSeconds)
      return {nearest, cached: false}
    } finally {
      this.searching--
    }
  }

  /** Trending is the same for every user: read at most once per TRENDING_REFRESH_MS. */
  private trending(): Promise<Map<string, number>> {
    const now = Date.now()
    if (!this.trendingCache || now - this.trendingCache.at > TRENDING_REFRESH_MS) {
      const value = this.readTrending()
      this.trendingCache = {at: now, value}
      value.catch(() => (this.trendingCache = undefined))
    }
    return this.trendingCache.value
  }

  private async readTrending(): Promise<Map<string, number>> {
    const rows = await this.db.query<{content_id: string; score: string}>(
      `SELECT content_id, sum(views + ${LIKE_TREND_WEIGHT} * likes) AS score FROM trending
       WHERE window_start > (SELECT max(window_start) FROM trending) - make_interval(secs => $1)
       GROUP BY content_id ORDER BY score DESC, content_id LIMIT 100`,
      [(this.options.trendingWindows * this.options.windowMs) / 1000],
    )
    return new Map(rows.rows.map((row) => [row.content_id, Number(row.score)]))
  }
}

/** The calibration's vector-search model when it sets one, else the env's. */
function vectorSearchModel(costs: Costs, env: VectorSearchLatency): VectorSearchLatency {
  if (costs.vectorSearchMs <= 0) return env
  return {
    baseMs: costs.vectorSearchMs,
    maxMs: Math.max(costs.vectorSearchMaxMs, costs.vectorSearchMs),
    saturation: costs.vectorSearchSaturation || env.saturation,
  }
}

/** Users whose affinity vectors round to the same values share one cached search. */
export function querySignature(affinity: ArrayLike<number>): string {
  return fnv1a(Array.from(affinity, (value) => value.toFixed(3)).join(',')).toString(36)
}
