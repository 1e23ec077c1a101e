// Deterministic content embeddings by feature hashing (the "hashing trick"): every genre, tag and
// word of the text is hashed to one of DIMS buckets with a hashed sign, weighted by kind, and the
// vector is L2-normalised. No model download, and the same input gives the same vector anywhere.

export const EMBEDDING_DIMS = 64
export const EMBEDDING_MODEL = `feature-hash-v1-${EMBEDDING_DIMS}`

/** How much one feature of each kind counts: genres dominate, tags next, free text least. */
export const FEATURE_WEIGHTS = {genre: 3, tag: 2, word: 1} as const

export interface EmbeddableContent {
  genres: readonly string[]
  tags?: readonly string[]
  title?: string
  description?: string
}

/** FNV-1a, 32-bit: fast, dependency-free and stable across platforms. */
export function fnv1a(text: string, seed = 0x81_1c_9d_c5): number {
  let hash = seed >>> 0
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index)
    hash = Math.imul(hash, 0x01_00_01_93) >>> 0
  }
  return hash >>> 0
}

const STOP_WORDS = new Set(['a', 'an', 'and', 'at', 'for', 'in', 'is', 'of', 'on', 'or', 'the', 'to', 'with'])

/** Lower-cased words of two or more letters or digits, without the commonest stop words. */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? []).filter((word) => !STOP_WORDS.has(word))
}

/** Adds one hashed feature into `vector` in place. */
export function addFeature(vector: Float64Array, feature: string, weight: number): void {
  const hash = fnv1a(feature)
  const sign = fnv1a(feature, 0x9e_37_79_b9) & 1 ? 1 : -1
  vector[hash % vector.length]! += sign * weight
}

export function normalise(vector: Float64Array): Float64Array {
  let norm = 0
  for (const value of vector) norm += value * value
  norm = Math.sqrt(norm)
  if (norm > 0) for (let index = 0; index < vector.length; index++) vector[index]! /= norm
  return vector
}

export function genreFeature(genre: string): string {
  return `genre:${genre.toLowerCase()}`
}

export function embedContent(content: EmbeddableContent, dims = EMBEDDING_DIMS): Float64Array {
  const vector = new Float64Array(dims)
  for (const genre of content.genres) addFeature(vector, genreFeature(genre), FEATURE_WEIGHTS.genre)
  for (const tag of content.tags ?? []) addFeature(vector, `tag:${tag.toLowerCase()}`, FEATURE_WEIGHTS.tag)
  for (const word of words(`${content.title ?? ''} ${content.description ?? ''}`))
    addFeature(vector, `word:${word}`, FEATURE_WEIGHTS.word)
  return normalise(vector)
}

/** A user's taste in the same space as content: each genre's feature weighted by its affinity. */
export function embedAffinity(
  affinity: ReadonlyMap<string, number> | Record<string, number>,
  dims = EMBEDDING_DIMS,
): Float64Array {
  const vector = new Float64Array(dims)
  const entries = affinity instanceof Map ? [...affinity.entries()] : Object.entries(affinity)
  for (const [genre, score] of entries) if (score > 0) addFeature(vector, genreFeature(genre), score)
  return normalise(vector)
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const length = Math.min(a.length, b.length)
  let dot = 0
  let normA = 0
  let normB = 0
  for (let index = 0; index < length; index++) {
    dot += a[index]! * b[index]!
    normA += a[index]! * a[index]!
    normB += b[index]! * b[index]!
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB)
}
