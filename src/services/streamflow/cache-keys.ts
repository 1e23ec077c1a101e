// Redis keys of the StreamFlow read side, in one place: the gateway reads and fills them, the
// projector invalidates them, the recommender caches vector-search results. Every key starts with
// the stack's REDIS_KEY_PREFIX so stacks sharing one Redis never see each other's entries.

/** The cached recommendations of one user (JSON of Recommendations without `cache`). */
export function recommendationKey(prefix: string, userId: string): string {
  return `${prefix}rec:${userId}`
}

/** SCAN pattern matching every cached recommendation of the stack. */
export function recommendationPattern(prefix: string): string {
  return `${escapeGlob(prefix)}rec:*`
}

/** Bumped on every content announcement; part of vector-search cache keys so new content misses. */
export function catalogueVersionKey(prefix: string): string {
  return `${prefix}catalogue:version`
}

/** The vector-search result cache (the query-result caching intervention). */
export function vectorSearchKey(prefix: string, catalogueVersion: string, querySignature: string): string {
  return `${prefix}vs:${catalogueVersion}:${querySignature}`
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`)
}
