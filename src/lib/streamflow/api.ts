// The reference stack's HTTP contract (the StreamFlow system's API): routes, bodies, switches,
// costs and metric names, shared by the services that serve it (src/services) and the tools that
// drive and observe it (load templates, gauges, status, reports). Changing a name here changes it
// everywhere at once.

/** Gateway routes. Authenticated routes take `Authorization: Bearer <api key>`. */
export const GatewayRoutes = {
  generate: '/v1/generate', // POST GenerateRequest → 202 GenerateAccepted
  request: (id: string) => `/v1/requests/${encodeURIComponent(id)}`, // GET → RequestStatus
  events: '/v1/events', // POST a user event (JSON Schema user-event) → 202 {event_id, partition, offset}
  recommendations: (user: string) => `/v1/recommendations/${encodeURIComponent(user)}`, // GET → Recommendations
  metadata: (video: string) => `/v1/metadata/${encodeURIComponent(video)}`, // GET → VideoMetadata
  taggingJobs: (video: string) => `/v1/metadata/${encodeURIComponent(video)}/jobs`, // POST → 202 TaggingJobAccepted
  taggingJob: (id: string) => `/v1/metadata/jobs/${encodeURIComponent(id)}`, // GET → TaggingJobStatus
} as const

export interface GenerateRequest {
  prompt: string
  model?: string
  max_tokens?: number
}

export interface GenerateAccepted {
  request_id: string
  status_url: string
  estimated_tokens: number
}

export type RequestState = 'queued' | 'running' | 'completed' | 'failed'

export interface RequestStatus {
  request_id: string
  status: RequestState
  output?: string
  degraded?: boolean
  usage?: {prompt_tokens: number; completion_tokens: number; total_tokens: number}
  error?: string
}

export interface Recommendations {
  user_id: string
  items: Array<{content_id: string; score: number}>
  cache: 'hit' | 'miss'
  /** True when the recommender was down and the last stored ranking (the read model) was served. */
  degraded?: boolean
  /** `queued` when the stored ranking was served and its refresh queued (queue-between-services intervention). */
  refresh?: 'queued'
}

export interface VideoMetadata {
  video_id: string
  labels: Array<{label: string; score: number}>
}

export interface TaggingJobAccepted {
  job_id: string
  status_url: string
}

export type TaggingJobState = 'queued' | 'completed' | 'failed'

export interface TaggingJobStatus {
  job_id: string
  video_id: string
  status: TaggingJobState
  /** The labels the synchronous GET answers, once completed. */
  labels?: VideoMetadata['labels']
  error?: string
}

/** The recommender's own route, called by the gateway on a cache miss. */
export const RecommenderRoutes = {
  rank: (user: string) => `/v1/rank/${encodeURIComponent(user)}`, // GET → RankedRecommendations
} as const

export interface RankedRecommendations {
  user_id: string
  items: Array<{content_id: string; score: number}>
  /** Whether the vector search was served by the query-result cache (an intervention). */
  vector_search: 'cached' | 'searched'
}

/** Every service answers these. */
export const ServiceRoutes = {
  healthz: '/healthz',
  readyz: '/readyz',
  metrics: '/metrics',
} as const

/**
 * A service's /readyz body: 200 with `ready`; 503 while `not ready`, naming the checks that fail.
 * On shutdown the listener closes first, so a probe then finds nothing listening.
 */
export interface Readiness {
  status: 'ready' | 'not ready'
  service: string
  /** The readiness checks that do not pass, e.g. ["rabbitmq-publisher"]. */
  waiting_for?: string[]
}

/**
 * The one admin API (served by the gateway): faults, interventions and costs switched at run time. State
 * lives in Redis and is broadcast to every service, so any service's /metrics shows the switches.
 */
export const AdminRoutes = {
  switches: '/admin/switches', // GET → Switches; PATCH Partial<Switches> → Switches
  cacheFlush: '/admin/actions/cache-flush', // POST → {deleted: number}
  contentDrop: '/admin/actions/content-drop', // POST {count?: number} → {produced: number}
} as const

export interface Faults {
  /** Multiplies the LLM simulator's latency. 1 = normal. */
  llmLatencyMultiplier: number
  /** Fraction of LLM calls answered with a 500, 0..1. */
  llmErrorRate: number
  /** Extra delay added to every read-model/profile database query, in ms. */
  dbDelayMs: number
  /** Consumer groups whose consumption is paused (e.g. "projector"). */
  pausedConsumers: string[]
}

export interface Interventions {
  gradualInvalidation: boolean
  llmBreakerFallback: boolean
  queryResultCache: boolean
  prioritisation: boolean
  queueBetweenServices: boolean
}

/**
 * The simulated costs of the StreamFlow bottlenecks (PRODUCT.md §1): what a calibration sets
 * (stacks/reference/calibrations/). 0 = not simulated: the service's own setting from its
 * environment, which is off unless set.
 */
export interface Costs {
  /** A vector search alone, ms (published: 150). */
  vectorSearchMs: number
  /** A vector search once `vectorSearchSaturation` run together, ms (published: 1000). */
  vectorSearchMaxMs: number
  /** Concurrent vector searches at which the latency reaches vectorSearchMaxMs. */
  vectorSearchSaturation: number
  /** Time one ranking holds a recommender worker, ms: the CPU-bound step. */
  rankingMs: number
  /** Rankings that run at once (the engine's cores); more wait in its queue. 0: no limit. */
  recommenderWorkers: number
  /** Rankings that may wait for a worker (published: 0–1000); beyond it the recommender answers 503. */
  recommenderQueueLimit: number
  /** A profile query's latency is drawn log-uniformly from [min, max] ms (published: 50–500). */
  profileQueryMinMs: number
  profileQueryMaxMs: number
  /** The LLM's requests per minute (published: 500). */
  llmRpmLimit: number
  /** The LLM's latency model: median and bounds, ms (published: 200 ms–2 s). */
  llmLatencyMedianMs: number
  llmLatencyMinMs: number
  llmLatencyMaxMs: number
}

/** Each cost's allowed range (0 is always allowed: not simulated). */
export const COST_LIMITS: Record<keyof Costs, {max: number; integer?: boolean}> = {
  vectorSearchMs: {max: 60_000},
  vectorSearchMaxMs: {max: 60_000},
  vectorSearchSaturation: {max: 100_000, integer: true},
  rankingMs: {max: 60_000},
  recommenderWorkers: {max: 10_000, integer: true},
  recommenderQueueLimit: {max: 1_000_000, integer: true},
  profileQueryMinMs: {max: 60_000},
  profileQueryMaxMs: {max: 60_000},
  llmRpmLimit: {max: 10_000_000, integer: true},
  llmLatencyMedianMs: {max: 600_000},
  llmLatencyMinMs: {max: 600_000},
  llmLatencyMaxMs: {max: 600_000},
}

export interface Switches {
  faults: Faults
  interventions: Interventions
  costs: Costs
}

export const DEFAULT_SWITCHES: Switches = {
  faults: {llmLatencyMultiplier: 1, llmErrorRate: 0, dbDelayMs: 0, pausedConsumers: []},
  interventions: {
    gradualInvalidation: false,
    llmBreakerFallback: false,
    queryResultCache: false,
    prioritisation: false,
    queueBetweenServices: false,
  },
  costs: Object.fromEntries(Object.keys(COST_LIMITS).map((name) => [name, 0])) as unknown as Costs,
}

/** Prometheus metric names the services export and `status`/`bench` scrape. */
export const Metrics = {
  httpDuration: 'streamctl_http_request_duration_seconds', // histogram {service, route, status}
  queueDepth: 'streamctl_queue_depth', // gauge {queue}
  consumerLag: 'streamctl_consumer_lag', // gauge {group, topic, partition}
  cacheHits: 'streamctl_cache_hits_total', // counter {cache}
  cacheMisses: 'streamctl_cache_misses_total', // counter {cache}
  nearCacheHits: 'streamctl_near_cache_hits_total', // counter {cache}: the hits (also in cache_hits) served from the service's own memory
  nearCacheEntries: 'streamctl_near_cache_entries', // gauge {cache}: entries in the service's memory; 0 while tracking is off
  llmRateLimited: 'streamctl_llm_rate_limited_total', // counter: 429s from the LLM
  breakerState: 'streamctl_breaker_state', // gauge {breaker}: 0 closed, 1 half-open, 2 open
  tokensProcessed: 'streamctl_tokens_processed_total', // counter {kind: prompt|completion}
  inFlight: 'streamctl_in_flight_requests', // gauge {service}
  shed: 'streamctl_shed_requests_total', // counter {service}: fast 503s from load shedding
  switchFault: 'streamctl_fault', // gauge {name}: current fault values
  switchIntervention: 'streamctl_intervention', // gauge {name}: 1 on, 0 off
  requestCompletionSeconds: 'streamctl_request_completion_seconds', // histogram {tier}: a generate's creation to its settlement (the collector)
  recommendationSeconds: 'streamctl_recommendation_seconds', // histogram {cache: hit|miss|degraded}: the gateway's time for a recommendations answer
  switchCost: 'streamctl_cost', // gauge {name}: current simulated costs (0: not simulated)
  info: 'streamctl_service_info', // gauge {service, version} = 1
  eventsConsumed: 'streamctl_events_consumed_total', // counter {group, topic, outcome: applied|skipped}
  cacheInvalidations: 'streamctl_cache_invalidations_total', // counter {mode: user|all-at-once|gradual}: entries invalidated
  grpcRequests: 'streamctl_grpc_requests_total', // counter {method, status}
  taggingJobs: 'streamctl_tagging_jobs_total', // counter {outcome: completed|failed|malformed|expired|requeued}
  generateStage: 'streamctl_generate_stage_seconds', // histogram {stage: auth|admit|store|dispatch}: where an accepted generate's time goes
} as const
