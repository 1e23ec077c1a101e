// The recommender's scoring: cosine similarity of the user's affinity vector against each content
// embedding (the "vector search"), blended with how much the item is trending. Pure, so it is
// tested without a database.
import {cosine} from './embedding.js'

export interface RankCandidate {
  contentId: string
  vector: ArrayLike<number>
}

export interface Similar {
  content_id: string
  similarity: number
}

export interface RankOptions {
  /** Share of the score that comes from trending, 0..1; the rest is similarity. */
  trendingWeight: number
  limit: number
  /** Items left out of the result (e.g. removed content). */
  exclude?: ReadonlySet<string>
}

export interface RankedItem {
  content_id: string
  score: number
}

/** Trending counts scaled to 0..1 by the hottest item, so they blend with a cosine. */
export function normaliseTrending(counts: ReadonlyMap<string, number>): Map<string, number> {
  let top = 0
  for (const count of counts.values()) top = Math.max(top, count)
  const scaled = new Map<string, number>()
  if (top <= 0) return scaled
  for (const [id, count] of counts) scaled.set(id, count / top)
  return scaled
}

function byScoreThenId<T extends {content_id: string}>(score: (item: T) => number): (a: T, b: T) => number {
  return (a, b) => score(b) - score(a) || (a.content_id < b.content_id ? -1 : a.content_id > b.content_id ? 1 : 0)
}

/**
 * The k candidates most similar to the affinity vector: what a vector index would answer. A
 * bounded selection keeps it O(n·k) in the worst case and close to O(n) in practice.
 */
export function nearestContent(affinity: ArrayLike<number>, candidates: Iterable<RankCandidate>, k: number): Similar[] {
  const limit = Math.max(0, k)
  const best: Similar[] = []
  const order = byScoreThenId<Similar>((item) => item.similarity)
  for (const candidate of candidates) {
    const item = {content_id: candidate.contentId, similarity: cosine(affinity, candidate.vector)}
    if (best.length === limit && (limit === 0 || order(item, best[limit - 1]!) >= 0)) continue
    let index = best.length
    while (index > 0 && order(item, best[index - 1]!) < 0) index--
    best.splice(index, 0, item)
    if (best.length > limit) best.pop()
  }
  return best
}

/**
 * Blends similarity with trending over the union of the nearest items and the trending ones, best
 * first; ties break by content id. A user without affinity gets the trending items.
 */
export function blendWithTrending(
  nearest: readonly Similar[],
  trending: ReadonlyMap<string, number>,
  similarityOf: (contentId: string) => number,
  options: RankOptions,
): RankedItem[] {
  const weight = Math.min(1, Math.max(0, options.trendingWeight))
  const trend = normaliseTrending(trending)
  const similarity = new Map(nearest.map((item) => [item.content_id, item.similarity]))
  for (const id of trend.keys()) if (!similarity.has(id)) similarity.set(id, similarityOf(id))
  const scored: RankedItem[] = []
  for (const [id, value] of similarity) {
    if (options.exclude?.has(id)) continue
    const score = (1 - weight) * value + weight * (trend.get(id) ?? 0)
    scored.push({content_id: id, score: Math.round(score * 1e6) / 1e6})
  }
  return scored.sort(byScoreThenId((item) => item.score)).slice(0, Math.max(0, options.limit))
}

/** Both steps over a whole candidate list. */
export function rankContent(
  affinity: ArrayLike<number>,
  candidates: readonly RankCandidate[],
  trending: ReadonlyMap<string, number>,
  options: RankOptions,
): RankedItem[] {
  const vectors = new Map(candidates.map((candidate) => [candidate.contentId, candidate.vector]))
  const nearest = nearestContent(affinity, candidates, candidates.length)
  return blendWithTrending(
    nearest,
    new Map([...trending].filter(([id]) => vectors.has(id))),
    (id) => cosine(affinity, vectors.get(id)!),
    options,
  )
}
