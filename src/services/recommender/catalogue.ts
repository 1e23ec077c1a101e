// The recommender's in-memory copy of the embedded catalogue, reloaded when the content pipeline
// bumps the catalogue version in Redis (one GET per request, auto-pipelined).
import type {Redis} from 'ioredis'
import type pg from 'pg'
import {CATALOGUE_VERSION_KEY} from '../../lib/streamflow/cache-keys.js'
import type {RankCandidate} from '../../lib/streamflow/ranking.js'

export interface CatalogueSnapshot {
  version: string
  candidates: RankCandidate[]
  vectors: Map<string, ArrayLike<number>>
}

export class EmbeddedCatalogue {
  private snapshot: CatalogueSnapshot | undefined
  private loading: Promise<CatalogueSnapshot> | undefined

  constructor(
    private readonly pool: pg.Pool,
    private readonly redis: Redis,
  ) {}

  async current(): Promise<CatalogueSnapshot> {
    const version = (await this.redis.get(CATALOGUE_VERSION_KEY)) ?? '0'
    if (this.snapshot?.version === version) return this.snapshot
    this.loading ??= this.load(version).finally(() => (this.loading = undefined))
    return this.loading
  }

  private async load(version: string): Promise<CatalogueSnapshot> {
    const rows = await this.pool.query<{content_id: string; vector: number[]}>(
      'SELECT e.content_id, e.vector FROM embeddings e JOIN content c USING (content_id) WHERE NOT c.removed',
    )
    const candidates = rows.rows.map((row) => ({contentId: row.content_id, vector: Float64Array.from(row.vector)}))
    this.snapshot = {
      version,
      candidates,
      vectors: new Map(candidates.map((candidate) => [candidate.contentId, candidate.vector])),
    }
    return this.snapshot
  }
}
