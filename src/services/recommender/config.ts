// Recommender settings from the environment (defaults in parentheses): RECOMMENDER_LIMIT (10
// items), RECOMMENDER_TRENDING_WEIGHT (0.3), TRENDING_WINDOW_MS (60000, the projector's tumbling
// window), RECOMMENDER_TRENDING_WINDOWS (15 latest windows count), VECTOR_SEARCH_K (100),
// VECTOR_SEARCH_BASE_MS (0) and VECTOR_SEARCH_MAX_MS (0) with VECTOR_SEARCH_SATURATION (32
// concurrent searches; the published bottleneck is 150 → 1000 ms), RECOMMENDER_CPU_ITERATIONS (0
// hashing rounds per request), QUERY_CACHE_TTL_S (300).
//
// The queue-between-services intervention: when the stack declares RECOMMENDATION_REFRESH_QUEUE
// (recommendation_refresh), REFRESH_PREFETCH (4: refreshes ranked at once) and
// RECOMMENDATION_CACHE_TTL_S (300: how long a refreshed entry of the gateway's cache lives); neither
// is read when it does not.
import type {StackManifest} from '../../lib/stack/manifest.js'
import {envNumber, type Env} from '../runtime/env.js'
import {readRecommendationCacheTtlSeconds, readRefreshQueue, readTrendingWindowMs} from '../shared-settings.js'
import type {EngineOptions} from './engine.js'

export interface RecommenderConfig {
  engine: EngineOptions
  /** The refresh consumer's settings, when the stack declares the refresh queue; otherwise there is none. */
  refresh: {queue: string; cacheTtlSeconds: number; prefetch: number} | undefined
}

export function readRecommenderConfig(env: Env, manifest: StackManifest): RecommenderConfig {
  const engine = readEngineOptions(env)
  const refreshQueue = readRefreshQueue(env)
  if (!manifest.queues.some((queue) => queue.name === refreshQueue)) return {engine, refresh: undefined}
  return {
    engine,
    refresh: {
      queue: refreshQueue,
      cacheTtlSeconds: readRecommendationCacheTtlSeconds(env),
      prefetch: envNumber(env, 'REFRESH_PREFETCH', 4, {min: 1, max: 1000, integer: true}),
    },
  }
}

function readEngineOptions(env: Env): EngineOptions {
  const baseMs = envNumber(env, 'VECTOR_SEARCH_BASE_MS', 0, {min: 0, max: 60_000})
  return {
    limit: envNumber(env, 'RECOMMENDER_LIMIT', 10, {min: 1, max: 1000, integer: true}),
    trendingWeight: envNumber(env, 'RECOMMENDER_TRENDING_WEIGHT', 0.3, {min: 0, max: 1}),
    windowMs: readTrendingWindowMs(env),
    trendingWindows: envNumber(env, 'RECOMMENDER_TRENDING_WINDOWS', 15, {min: 1, integer: true}),
    searchK: envNumber(env, 'VECTOR_SEARCH_K', 100, {min: 1, integer: true}),
    vectorSearch: {
      baseMs,
      maxMs: envNumber(env, 'VECTOR_SEARCH_MAX_MS', baseMs, {min: 0, max: 60_000}),
      saturation: envNumber(env, 'VECTOR_SEARCH_SATURATION', 32, {min: 1, integer: true}),
    },
    cpuIterations: envNumber(env, 'RECOMMENDER_CPU_ITERATIONS', 0, {min: 0, integer: true}),
    queryCacheTtlSeconds: envNumber(env, 'QUERY_CACHE_TTL_S', 300, {min: 1, integer: true}),
  }
}
