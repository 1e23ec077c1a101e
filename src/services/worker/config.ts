// Worker settings from the environment (defaults in parentheses): REQUESTS_QUEUE (inference_requests),
// RESULTS_QUEUE (inference_results), WORKER_PREFETCH (16), LLM_BASE_URL (`$LLM_SIM_URL/v1`, else
// http://127.0.0.1:8087/v1 — any OpenAI-compatible endpoint works), LLM_API_KEY (unset), LLM_MODEL
// (unset: the request's model), LLM_TIMEOUT_MS (10000, per attempt), LLM_MAX_ATTEMPTS (4),
// LLM_BACKOFF_BASE_MS (200), LLM_BACKOFF_MAX_MS (5000), LLM_RETRY_AFTER_MAX_MS (10000),
// BREAKER_FAILURE_THRESHOLD (5 consecutive failures), BREAKER_OPEN_MS (10000), LLM_FALLBACK_TIMEOUT_MS
// (1500: with the breaker + fallback intervention on, a call slower than this is answered degraded).
import {envNumber, envString, type Env} from '../runtime/env.js'
import {readRequestsQueue, readResultsQueue} from '../shared-settings.js'

export interface WorkerConfig {
  requestsQueue: string
  resultsQueue: string
  prefetch: number
  llmBaseUrl: string
  llmApiKey: string | undefined
  llmModel: string | undefined
  timeoutMs: number
  maxAttempts: number
  backoffBaseMs: number
  backoffMaxMs: number
  retryAfterMaxMs: number
  breakerFailureThreshold: number
  breakerOpenMs: number
  fallbackTimeoutMs: number
}

export function readWorkerConfig(env: Env): WorkerConfig {
  const sim = envString(env, 'LLM_SIM_URL', 'http://127.0.0.1:8087').replace(/\/$/, '')
  return {
    requestsQueue: readRequestsQueue(env),
    resultsQueue: readResultsQueue(env),
    prefetch: envNumber(env, 'WORKER_PREFETCH', 16, {min: 1, max: 10_000, integer: true}),
    llmBaseUrl: envString(env, 'LLM_BASE_URL', `${sim}/v1`).replace(/\/$/, ''),
    llmApiKey: env.LLM_API_KEY || undefined,
    llmModel: env.LLM_MODEL || undefined,
    timeoutMs: envNumber(env, 'LLM_TIMEOUT_MS', 10_000, {min: 1, integer: true}),
    maxAttempts: envNumber(env, 'LLM_MAX_ATTEMPTS', 4, {min: 1, max: 100, integer: true}),
    backoffBaseMs: envNumber(env, 'LLM_BACKOFF_BASE_MS', 200, {min: 0}),
    backoffMaxMs: envNumber(env, 'LLM_BACKOFF_MAX_MS', 5000, {min: 0}),
    retryAfterMaxMs: envNumber(env, 'LLM_RETRY_AFTER_MAX_MS', 10_000, {min: 0}),
    breakerFailureThreshold: envNumber(env, 'BREAKER_FAILURE_THRESHOLD', 5, {min: 1, integer: true}),
    breakerOpenMs: envNumber(env, 'BREAKER_OPEN_MS', 10_000, {min: 0}),
    fallbackTimeoutMs: envNumber(env, 'LLM_FALLBACK_TIMEOUT_MS', 1500, {min: 1, integer: true}),
  }
}
