// The reference stack's services by name, for `streamctl serve <name>`. Each entry loads its module
// only when that service is started, so serving one never imports the others' dependencies.
import type {ServiceDefinition} from './runtime/service-runtime.js'

export const SERVICES: Record<string, () => Promise<ServiceDefinition>> = {
  gateway: async () => (await import('./gateway/index.js')).gatewayService,
  worker: async () => (await import('./worker/index.js')).workerService,
  collector: async () => (await import('./collector/index.js')).collectorService,
  'llm-sim': async () => (await import('./llm-sim/index.js')).llmSimService,
  tagger: async () => (await import('./tagger/index.js')).taggerService,
  recommender: async () => (await import('./recommender/index.js')).recommenderService,
  projector: async () => (await import('./projector/index.js')).projectorService,
  'content-pipeline': async () => (await import('./content-pipeline/index.js')).contentPipelineService,
}

export function serviceNames(): string[] {
  return Object.keys(SERVICES).sort()
}
