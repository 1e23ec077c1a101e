// LLM simulator settings from the environment (defaults in parentheses): LLM_SEED (42),
// LLM_RPM_LIMIT (500), LLM_LATENCY_MIN_MS (200), LLM_LATENCY_MAX_MS (2000, at least the minimum),
// LLM_LATENCY_MEDIAN_MS (600), LLM_LATENCY_SIGMA (0.6) and LLM_FOLLOW_SWITCHES (true: read faults
// and costs from Redis). A calibration's costs (llmRpmLimit, llmLatency{Median,Min,Max}Ms) replace
// these while set.
import {envBoolean, envNumber, type Env} from '../runtime/env.js'
import type {LatencyModelOptions} from './latency-model.js'

export interface LlmSimConfig {
  latency: LatencyModelOptions
  rpmLimit: number
  followSwitches: boolean
}

export function readLlmSimConfig(env: Env): LlmSimConfig {
  const minMs = envNumber(env, 'LLM_LATENCY_MIN_MS', 200, {min: 0})
  return {
    latency: {
      seed: envNumber(env, 'LLM_SEED', 42, {integer: true}),
      minMs,
      maxMs: envNumber(env, 'LLM_LATENCY_MAX_MS', 2000, {min: minMs}),
      medianMs: envNumber(env, 'LLM_LATENCY_MEDIAN_MS', 600, {min: 0}),
      sigma: envNumber(env, 'LLM_LATENCY_SIGMA', 0.6, {min: 0}),
    },
    rpmLimit: envNumber(env, 'LLM_RPM_LIMIT', 500, {min: 1, integer: true}),
    followSwitches: envBoolean(env, 'LLM_FOLLOW_SWITCHES', true),
  }
}
