// Tagger settings from the environment (defaults in parentheses): GRPC_PORT (50051; 0 picks a free
// port) and GRPC_HOST (HOST) for the gRPC listener; TAGGER_JOBS (true: consume tagging jobs),
// TAGGING_JOBS_QUEUE (tagging_jobs; jobs are off when the stack declares no such queue) and
// TAGGER_JOBS_PREFETCH (16: jobs classified at once); TAGGER_USE_CATALOGUE (true: look videos up in
// PostgreSQL's content table). PORT (runtime/env.ts) is the HTTP /healthz, /readyz and /metrics listener.
import {envBoolean, envNumber, envString, type Env} from '../runtime/env.js'
import {readTaggingJobsQueue} from '../shared-settings.js'

export interface TaggerConfig {
  grpcPort: number
  grpcHost: string
  jobsOn: boolean
  jobsQueue: string
  jobsPrefetch: number
  useCatalogue: boolean
}

/** `host` is the service's HOST, the gRPC listener's default. */
export function readTaggerConfig(env: Env, host: string): TaggerConfig {
  return {
    grpcPort: envNumber(env, 'GRPC_PORT', 50_051, {min: 0, max: 65_535, integer: true}),
    grpcHost: envString(env, 'GRPC_HOST', host),
    jobsOn: envBoolean(env, 'TAGGER_JOBS', true),
    jobsQueue: readTaggingJobsQueue(env),
    jobsPrefetch: envNumber(env, 'TAGGER_JOBS_PREFETCH', 16, {min: 1, max: 10_000, integer: true}),
    useCatalogue: envBoolean(env, 'TAGGER_USE_CATALOGUE', true),
  }
}
