// The Prometheus metrics every service exports, under the names of api.ts `Metrics` (what `status`
// and `bench` scrape). Each service has its own registry, so several can run in one process.
import {Counter, Gauge, Histogram, Registry} from 'prom-client'
import {Metrics} from '../../lib/streamflow/api.js'

export class ServiceMetrics {
  readonly registry = new Registry()
  readonly httpDuration: Histogram<'service' | 'route' | 'status'>
  readonly queueDepth: Gauge<'queue'>
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>
  readonly cacheHits: Counter<'cache'>
  readonly cacheMisses: Counter<'cache'>
  readonly llmRateLimited: Counter
  readonly breakerState: Gauge<'breaker'>
  readonly tokensProcessed: Counter<'kind'>
  readonly inFlight: Gauge<'service'>
  readonly shed: Counter<'service'>
  readonly fault: Gauge<'name'>
  readonly intervention: Gauge<'name'>
  readonly cost: Gauge<'name'>

  constructor(
    readonly service: string,
    version = '0.0.0',
  ) {
    const registers = [this.registry]
    this.httpDuration = new Histogram({
      name: Metrics.httpDuration,
      help: 'HTTP request duration in seconds, by route pattern and status',
      labelNames: ['service', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    })
    this.queueDepth = new Gauge({
      name: Metrics.queueDepth,
      help: 'Messages waiting in a queue',
      labelNames: ['queue'],
      registers,
    })
    this.consumerLag = new Gauge({
      name: Metrics.consumerLag,
      help: 'Kafka consumer lag in records',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    })
    this.cacheHits = new Counter({name: Metrics.cacheHits, help: 'Cache hits', labelNames: ['cache'], registers})
    this.cacheMisses = new Counter({name: Metrics.cacheMisses, help: 'Cache misses', labelNames: ['cache'], registers})
    this.llmRateLimited = new Counter({name: Metrics.llmRateLimited, help: '429 answers from the LLM', registers})
    this.breakerState = new Gauge({
      name: Metrics.breakerState,
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['breaker'],
      registers,
    })
    this.tokensProcessed = new Counter({
      name: Metrics.tokensProcessed,
      help: 'LLM tokens processed',
      labelNames: ['kind'],
      registers,
    })
    this.inFlight = new Gauge({
      name: Metrics.inFlight,
      help: 'HTTP requests being served',
      labelNames: ['service'],
      registers,
    })
    this.shed = new Counter({
      name: Metrics.shed,
      help: 'Requests answered 503 by load shedding',
      labelNames: ['service'],
      registers,
    })
    this.fault = new Gauge({
      name: Metrics.switchFault,
      help: 'Current fault values (pausedConsumers: count)',
      labelNames: ['name'],
      registers,
    })
    this.intervention = new Gauge({
      name: Metrics.switchIntervention,
      help: 'Interventions: 1 on, 0 off',
      labelNames: ['name'],
      registers,
    })
    this.cost = new Gauge({
      name: Metrics.switchCost,
      help: 'Simulated costs of the calibration (0: not simulated)',
      labelNames: ['name'],
      registers,
    })
    new Gauge({name: Metrics.info, help: 'Service identity', labelNames: ['service', 'version'], registers}).set(
      {service, version},
      1,
    )
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }
}
