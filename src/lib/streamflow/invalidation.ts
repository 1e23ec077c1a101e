// How cached recommendations are invalidated when new content is announced. All at once deletes
// every entry now: the next request of every user misses together (the published invalidation
// storm). Gradual gives each entry its own expiry spread over a window, so misses trickle in.
import {fnv1a} from './embedding.js'

export type InvalidationMode = 'all-at-once' | 'gradual'

export interface InvalidationStep {
  key: string
  /** 0 = delete now; otherwise expire after this many ms. */
  expireAfterMs: number
}

/**
 * The step for each key. Gradual spreads keys evenly over (0, spreadMs] by a hash of the key and
 * the announcement, so the plan is deterministic and different announcements reorder the keys.
 */
export function planInvalidation(
  keys: readonly string[],
  mode: InvalidationMode,
  spreadMs: number,
  salt = '',
): InvalidationStep[] {
  if (mode === 'all-at-once' || spreadMs <= 0) return keys.map((key) => ({key, expireAfterMs: 0}))
  return keys.map((key) => ({key, expireAfterMs: 1 + (fnv1a(`${salt}|${key}`) % Math.max(1, Math.floor(spreadMs)))}))
}
