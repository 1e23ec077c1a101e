// Server-side figures read from the services' /metrics during a run, so client latency can be read
// next to what the stack was doing: queue depth, consumer lag, cache hit rate, LLM 429s, breaker
// state, in-flight and shed requests. One that cannot be read is left out, never fatal.
import {Metrics} from '../streamflow/api.js'
import {parsePrometheusText, type Sample} from './prometheus-text.js'

export interface GaugeSample {
  /** ms since the variant started. */
  atMs: number
  values: Record<string, number>
  /** URLs that did not answer. */
  unreachable?: string[]
}

/**
 * A scrape of `urls`, to call once per interval. undici is loaded here, before the run: it costs
 * ~80 ms of CPU, which would stall the run mid-way and which runs that scrape nothing never pay.
 */
export async function gaugeScraper(urls: readonly string[]): Promise<(atMs: number) => Promise<GaugeSample>> {
  const {request} = await import('undici')
  return async (atMs) => {
    const samples: Sample[] = []
    const unreachable: string[] = []
    await Promise.all(
      urls.map(async (url) => {
        try {
          const response = await request(url, {headersTimeout: 2000, bodyTimeout: 2000})
          const text = await response.body.text()
          if (response.statusCode === 200) samples.push(...parsePrometheusText(text))
          else unreachable.push(url)
        } catch {
          unreachable.push(url)
        }
      }),
    )
    return {atMs, values: summariseGauges(samples), ...(unreachable.length > 0 ? {unreachable} : {})}
  }
}

/** Folds raw samples into the named figures reports show. */
export function summariseGauges(samples: readonly Sample[]): Record<string, number> {
  const values: Record<string, number> = {}
  const add = (key: string, value: number) => (values[key] = (values[key] ?? 0) + value)
  let hits = 0
  let misses = 0
  for (const sample of samples) {
    switch (sample.name) {
      case Metrics.queueDepth:
        add(`queue_depth.${sample.labels.queue ?? 'unknown'}`, sample.value)
        break
      case Metrics.consumerLag:
        add(`consumer_lag.${sample.labels.group ?? 'unknown'}`, sample.value)
        break
      // The recommendations cache is the one users see; the query-result cache of vector searches is reported apart.
      case Metrics.cacheHits:
        if (sample.labels.cache === 'vector-search') add('vector_search_cache_hits_total', sample.value)
        else hits += sample.value
        break
      case Metrics.cacheMisses:
        if (sample.labels.cache === 'vector-search') add('vector_search_cache_misses_total', sample.value)
        else misses += sample.value
        break
      case `${Metrics.requestCompletionSeconds}_sum`:
        add(`completion_${sample.labels.tier ?? 'unknown'}_seconds_total`, sample.value)
        break
      case `${Metrics.requestCompletionSeconds}_count`:
        add(`completion_${sample.labels.tier ?? 'unknown'}_total`, sample.value)
        break
      case `${Metrics.recommendationSeconds}_sum`:
        add(`recommendation_${sample.labels.cache ?? 'unknown'}_seconds_total`, sample.value)
        break
      case `${Metrics.recommendationSeconds}_count`:
        add(`recommendation_${sample.labels.cache ?? 'unknown'}_total`, sample.value)
        break
      case Metrics.llmRateLimited:
        add('llm_rate_limited_total', sample.value)
        break
      case Metrics.breakerState:
        values[`breaker_state.${sample.labels.breaker ?? 'unknown'}`] = sample.value
        break
      case Metrics.inFlight:
        add(`in_flight.${sample.labels.service ?? 'unknown'}`, sample.value)
        break
      case Metrics.shed:
        add('shed_total', sample.value)
        break
    }
  }
  if (hits + misses > 0) {
    values.cache_hits_total = hits
    values.cache_misses_total = misses
  }
  return values
}
