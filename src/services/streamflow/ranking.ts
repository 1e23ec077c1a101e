// The recommender's scoring: cosine similarity of the user's affinity vector against each content
// embedding, blended with how much the item is trending. Pure, so it is tested without a database.
import {cosine} from './embedding.js'

export interface RankCandidate {
  contentId: string
  vector: ArrayLike<number>
}

export interface RankOptions {
  /** Share of the score that comes from trending, 0..1; the rest is similarity. */
  trendingWeight: number
  limit: number
  /** Items the user has already seen or liked, left out of the result. */
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

/**
 * Ranks candidates best first. A user without affinity (a zero vector) gets the trending items;
 * ties break by content id so equal inputs always give the same order.
 */
export function rankContent(affinity: ArrayLike<number>, candidates: readonly RankCandidate[], trending: ReadonlyMap<string, number>, options: RankOptions): RankedItem[] {
  const weight = Math.min(1, Math.max(0, options.trendingWeight))
  const trend = normaliseTrending(trending)
  const scored: RankedItem[] = []
  for (const candidate of candidates) {
    if (options.exclude?.has(candidate.contentId)) continue
    const similarity = cosine(affinity, candidate.vector)
    const score = (1 - weight) * similarity + weight * (trend.get(candidate.contentId) ?? 0)
    scored.push({content_id: candidate.contentId, score: Math.round(score * 1e6) / 1e6})
  }
  scored.sort((a, b) => b.score - a.score || (a.content_id < b.content_id ? -1 : a.content_id > b.content_id ? 1 : 0))
  return scored.slice(0, Math.max(0, options.limit))
}
