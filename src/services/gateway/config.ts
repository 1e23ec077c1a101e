// Gateway settings from the environment (defaults in parentheses): REQUESTS_QUEUE
// (inference_requests), AUTH_CACHE_MS (30000), ADMIN_TOKEN (the bearer token the admin API
// requires; unset: the admin API is closed and answers 401 to everyone; `streamctl up` sets it),
// PUBLIC_URL (unset: status URLs are relative), DEFAULT_MAX_TOKENS (256), MAX_PROMPT_CHARS
// (32000), MAX_UNCONFIRMED (10000: publishes awaiting RabbitMQ's confirm above which a generate
// waits for its own), DISPATCH_SWEEP_MS (5000), DISPATCH_GRACE_MS (30000: how old an unconfirmed
// request is before the sweeper settles it),
// DISPATCH_LINGER_MS (5: how long an accepted request, already answered, may wait so that requests
// accepted together are published to RabbitMQ together; 0 publishes each at once),
// INSERT_CONCURRENCY (4: request-row INSERTs in flight at once; rows arriving meanwhile wait and
// share the next one, so fewer means bigger batches and less PostgreSQL work per request),
// TAGGING_JOBS_QUEUE (tagging_jobs; no tagging-job routes when the stack declares no such queue),
// TAGGER_TIMEOUT_MS (2000: the gRPC deadline of a metadata GET, and how long a tagging job waits for
// RabbitMQ's confirm) and RECOMMENDATION_REFRESH_QUEUE (recommendation_refresh; the queue-between-
// services intervention calls the recommender directly when the stack declares no such queue).
//
// The read side (routes/read-side.ts): RECOMMENDER_URL (http://127.0.0.1:8084),
// RECOMMENDER_TIMEOUT_MS (2000), RECOMMENDATION_CACHE_TTL_S (300), RECOMMENDATION_NEAR_CACHE_SIZE
// (10000 users; 0 turns the near cache off, so every hit reads Redis), TAGGER_GRPC_ADDR
// (127.0.0.1:50051), USER_EVENTS_TOPIC (user-events) and CONTENT_EVENTS_TOPIC (content-events).
import type {StackManifest} from '../../lib/stack/manifest.js'
import {envNumber, envString, type Env} from '../runtime/env.js'
import {
  readContentEventsTopic,
  readRecommendationCacheTtlSeconds,
  readRefreshQueue,
  readRequestsQueue,
  readTaggingJobsQueue,
  readUserEventsTopic,
} from '../shared-settings.js'

export interface GatewayConfig {
  requestsQueue: string
  authCacheMs: number
  adminToken: string | undefined
  publicUrl: string
  defaultMaxTokens: number
  maxPromptChars: number
  maxUnconfirmed: number
  dispatchSweepMs: number
  dispatchGraceMs: number
  dispatchLingerMs: number
  insertConcurrency: number
  taggingJobsQueue: string
  taggerTimeoutMs: number
  refreshQueue: string
  recommenderUrl: string
  recommenderTimeoutMs: number
  recommendationCacheTtlSeconds: number
  taggerAddress: string
  userEventsTopic: string
  contentEventsTopic: string
  recommendationNearCacheSize: number
}

export function readGatewayConfig(env: Env): GatewayConfig {
  return {
    requestsQueue: readRequestsQueue(env),
    authCacheMs: envNumber(env, 'AUTH_CACHE_MS', 30_000, {min: 0, integer: true}),
    adminToken: env.ADMIN_TOKEN || undefined,
    publicUrl: envString(env, 'PUBLIC_URL', '').replace(/\/$/, ''),
    defaultMaxTokens: envNumber(env, 'DEFAULT_MAX_TOKENS', 256, {min: 1, max: 32_768, integer: true}),
    maxPromptChars: envNumber(env, 'MAX_PROMPT_CHARS', 32_000, {min: 1, integer: true}),
    maxUnconfirmed: envNumber(env, 'MAX_UNCONFIRMED', 10_000, {min: 0, integer: true}),
    dispatchSweepMs: envNumber(env, 'DISPATCH_SWEEP_MS', 5000, {min: 100, integer: true}),
    // At least a second: a store slower than half of it is confirmed against the sweeper (routes/inference.ts).
    dispatchGraceMs: envNumber(env, 'DISPATCH_GRACE_MS', 30_000, {min: 1000, integer: true}),
    dispatchLingerMs: envNumber(env, 'DISPATCH_LINGER_MS', 5, {min: 0, max: 60_000, integer: true}),
    insertConcurrency: envNumber(env, 'INSERT_CONCURRENCY', 4, {min: 1, max: 64, integer: true}),
    taggingJobsQueue: readTaggingJobsQueue(env),
    taggerTimeoutMs: envNumber(env, 'TAGGER_TIMEOUT_MS', 2000, {min: 1, integer: true}),
    refreshQueue: readRefreshQueue(env),
    recommenderUrl: envString(env, 'RECOMMENDER_URL', 'http://127.0.0.1:8084'),
    recommenderTimeoutMs: envNumber(env, 'RECOMMENDER_TIMEOUT_MS', 2000, {min: 1, integer: true}),
    recommendationCacheTtlSeconds: readRecommendationCacheTtlSeconds(env),
    taggerAddress: envString(env, 'TAGGER_GRPC_ADDR', '127.0.0.1:50051'),
    userEventsTopic: readUserEventsTopic(env),
    contentEventsTopic: readContentEventsTopic(env),
    recommendationNearCacheSize: envNumber(env, 'RECOMMENDATION_NEAR_CACHE_SIZE', 10_000, {min: 0, integer: true}),
  }
}

/**
 * The queues the gateway publishes to, which its publishing channel declares on every (re)open:
 * the requests queue (the stack must declare it), and the tagging-jobs and refresh queues when the
 * stack declares them.
 */
export function publishedQueues(config: GatewayConfig, manifest: StackManifest): string[] {
  const declared = (name: string) => manifest.queues.some((queue) => queue.name === name)
  return [config.requestsQueue, ...[config.taggingJobsQueue, config.refreshQueue].filter(declared)]
}
