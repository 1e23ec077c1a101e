// Redis keys of the StreamFlow read side, in one place: the gateway reads and fills them, the
// projector invalidates them, the recommender caches vector-search results. Keys are relative:
// the service's Redis client adds the stack's REDIS_KEY_PREFIX (ioredis keyPrefix), except in
// SCAN patterns, which ioredis leaves alone; recommendationPattern() takes the prefix for that.
// All live under `cache:`, so the cache-flush action removes them too.

/** Every cached recommendation's key starts with this (the gateway's near cache tracks it). */
export const RECOMMENDATION_KEY_PREFIX = 'cache:recommendations:'

/** The cached recommendations of one user (JSON of Recommendations without `cache`). */
export function recommendationKey(userId: string): string {
  return `${RECOMMENDATION_KEY_PREFIX}${userId}`
}

/**
 * Set (NX, short TTL) while a refresh of a user's recommendations waits in the queue between the
 * gateway and the recommender, so a miss storm queues each user once.
 */
export function refreshPendingKey(userId: string): string {
  return `cache:recommendations-refresh:${userId}`
}

/** The queue of the queue-between-services intervention, and how long a queued refresh blocks another. */
export const DEFAULT_REFRESH_QUEUE = 'recommendation_refresh'
export const REFRESH_PENDING_TTL_S = 30

/** SCAN pattern matching every cached recommendation of the stack (absolute: includes the prefix). */
export function recommendationPattern(keyPrefix: string): string {
  return `${escapeGlob(keyPrefix)}${RECOMMENDATION_KEY_PREFIX}*`
}

/** Bumped on every content announcement; part of vector-search cache keys so new content misses. */
export const CATALOGUE_VERSION_KEY = 'catalogue:version'

/** The vector-search result cache (the query-result caching intervention). */
export function vectorSearchKey(catalogueVersion: string, querySignature: string): string {
  return `cache:vector-search:${catalogueVersion}:${querySignature}`
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`)
}
