// One inference request through the LLM: attempts with a per-attempt timeout, retries with
// exponential backoff and jitter (honouring Retry-After on 429), the circuit breaker and the
// degraded fallback when that intervention is on (at once on a 429 or on a call slower than
// LLM_FALLBACK_TIMEOUT_MS, or once the breaker is open or the attempts are spent), and a failed
// result after the last attempt.
import {setTimeout as sleep} from 'node:timers/promises'
import type {InferenceRequestMessage, InferenceResultMessage} from '../amqp/inference-messages.js'
import type {ServiceMetrics} from '../telemetry/metrics.js'
import {backoffDelayMs} from '../runtime/backoff.js'
import type {CircuitBreaker} from './breaker.js'
import type {WorkerConfig} from './config.js'
import {callChatCompletion} from './llm-client.js'

export const FALLBACK_ANSWER =
  'The assistant is under heavy load; this is a shortened answer. Please retry later for a full one.'

export interface ProcessDeps {
  config: WorkerConfig
  metrics: ServiceMetrics
  breaker: CircuitBreaker
  /** Whether the breaker + fallback intervention is on now. */
  fallbackOn: () => boolean
  random?: () => number
}

export async function processRequest(
  request: InferenceRequestMessage,
  deps: ProcessDeps,
): Promise<InferenceResultMessage> {
  const {config, metrics, breaker} = deps
  let attempts = 0
  let lastError = 'no attempt made'
  for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
    if (deps.fallbackOn() && !breaker.allow()) return fallback(request, attempts, 'circuit open')
    attempts++
    // The LLM timeout of the intervention: a user waits for a short answer now, not a full one later.
    const timeoutMs = deps.fallbackOn() ? Math.min(config.timeoutMs, config.fallbackTimeoutMs) : config.timeoutMs
    const outcome = await callChatCompletion({
      baseUrl: config.llmBaseUrl,
      apiKey: config.llmApiKey,
      model: config.llmModel ?? request.model,
      prompt: request.prompt,
      maxTokens: request.max_tokens,
      timeoutMs,
    })
    if (outcome.ok) {
      breaker.success()
      metrics.tokensProcessed.inc({kind: 'prompt'}, outcome.usage.prompt_tokens)
      metrics.tokensProcessed.inc({kind: 'completion'}, outcome.usage.completion_tokens)
      return {
        request_id: request.request_id,
        status: 'completed',
        output: outcome.content,
        degraded: false,
        usage: outcome.usage,
        attempts,
      }
    }
    lastError = outcome.message
    if (outcome.kind === 'rejected') break
    if (outcome.kind === 'rate_limited') metrics.llmRateLimited.inc()
    breaker.failure()
    // With the fallback on, a rate-limited LLM is answered degraded now rather than waited for: its
    // Retry-After (up to LLM_RETRY_AFTER_MAX_MS per attempt) is what made protected e2e latency grow.
    if ((outcome.kind === 'rate_limited' || outcome.kind === 'timeout') && deps.fallbackOn())
      return fallback(request, attempts, lastError)
    if (attempt === config.maxAttempts) break
    const backoff = backoffDelayMs(attempt, config.backoffBaseMs, config.backoffMaxMs, deps.random)
    const wait =
      outcome.kind === 'rate_limited' && outcome.retryAfterMs !== undefined
        ? Math.min(config.retryAfterMaxMs, Math.max(backoff, outcome.retryAfterMs))
        : backoff
    await sleep(wait)
  }
  if (deps.fallbackOn()) return fallback(request, attempts, lastError)
  return {
    request_id: request.request_id,
    status: 'failed',
    degraded: false,
    error: `LLM call failed after ${attempts} attempt(s): ${lastError}`,
    attempts,
  }
}

/** The degraded answer: no LLM tokens are used, so the collector charges nothing. */
function fallback(request: InferenceRequestMessage, attempts: number, why: string): InferenceResultMessage {
  return {
    request_id: request.request_id,
    status: 'completed',
    output: FALLBACK_ANSWER,
    degraded: true,
    usage: {prompt_tokens: 0, completion_tokens: 0, total_tokens: 0},
    error: `degraded: ${why}`,
    attempts,
  }
}
