// Settings more than one service reads: the two ends of a queue or topic, and a window or TTL two
// services must agree on. Each is read here only, so two services never disagree about a name, a
// default or a bound; the services' config.ts files call these.
import {DEFAULT_REFRESH_QUEUE} from '../lib/streamflow/cache-keys.js'
import {DEFAULT_REQUESTS_QUEUE, DEFAULT_RESULTS_QUEUE} from './amqp/inference-messages.js'
import {DEFAULT_TAGGING_QUEUE} from './redis/tagging-job-record.js'
import {envNumber, envString, type Env} from './runtime/env.js'

/** REQUESTS_QUEUE (inference_requests): the gateway publishes generate requests, the worker consumes them. */
export function readRequestsQueue(env: Env): string {
  return envString(env, 'REQUESTS_QUEUE', DEFAULT_REQUESTS_QUEUE)
}

/** RESULTS_QUEUE (inference_results): the worker publishes LLM outcomes, the collector settles them. */
export function readResultsQueue(env: Env): string {
  return envString(env, 'RESULTS_QUEUE', DEFAULT_RESULTS_QUEUE)
}

/** TAGGING_JOBS_QUEUE (tagging_jobs): the gateway queues tagging jobs, the tagger works them. */
export function readTaggingJobsQueue(env: Env): string {
  return envString(env, 'TAGGING_JOBS_QUEUE', DEFAULT_TAGGING_QUEUE)
}

/** RECOMMENDATION_REFRESH_QUEUE (recommendation_refresh): the gateway queues refreshes, the recommender ranks them. */
export function readRefreshQueue(env: Env): string {
  return envString(env, 'RECOMMENDATION_REFRESH_QUEUE', DEFAULT_REFRESH_QUEUE)
}

/** RECOMMENDATION_CACHE_TTL_S (300): how long the gateway's and the recommender's cache fills live. */
export function readRecommendationCacheTtlSeconds(env: Env): number {
  return envNumber(env, 'RECOMMENDATION_CACHE_TTL_S', 300, {min: 1, integer: true})
}

/** USER_EVENTS_TOPIC (user-events): the gateway produces user events, the projector folds them. */
export function readUserEventsTopic(env: Env): string {
  return envString(env, 'USER_EVENTS_TOPIC', 'user-events')
}

/** CONTENT_EVENTS_TOPIC (content-events): the gateway's content drop produces titles, the content pipeline stores them. */
export function readContentEventsTopic(env: Env): string {
  return envString(env, 'CONTENT_EVENTS_TOPIC', 'content-events')
}

/** ANNOUNCEMENTS_TOPIC (content-announcements): the content pipeline announces new content, the projector invalidates. */
export function readAnnouncementsTopic(env: Env): string {
  return envString(env, 'ANNOUNCEMENTS_TOPIC', 'content-announcements')
}

/** TRENDING_WINDOW_MS (60000): the projector's tumbling trending window, which the recommender reads back. */
export function readTrendingWindowMs(env: Env): number {
  return envNumber(env, 'TRENDING_WINDOW_MS', 60_000, {min: 1000, integer: true})
}

/** LAG_INTERVAL_MS (1000): how often a Kafka consumer's lag is read into /metrics. */
export function readLagIntervalMs(env: Env): number {
  return envNumber(env, 'LAG_INTERVAL_MS', 1000, {min: 100, integer: true})
}
