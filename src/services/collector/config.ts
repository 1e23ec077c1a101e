// Collector settings from the environment (defaults in parentheses): RESULTS_QUEUE
// (inference_results) and COLLECTOR_PREFETCH (32: results settled at once).
import {envNumber, type Env} from '../runtime/env.js'
import {readResultsQueue} from '../shared-settings.js'

export interface CollectorConfig {
  resultsQueue: string
  prefetch: number
}

export function readCollectorConfig(env: Env): CollectorConfig {
  return {
    resultsQueue: readResultsQueue(env),
    prefetch: envNumber(env, 'COLLECTOR_PREFETCH', 32, {min: 1, max: 10_000, integer: true}),
  }
}
