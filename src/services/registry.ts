// The reference stack's services by name, for `streamctl serve <name>`. Each entry loads its module
// only when that service is started, so serving one never imports the others' dependencies.
import type {ServiceDefinition} from './common/runtime.js'

export const SERVICES: Record<string, () => Promise<ServiceDefinition>> = {
  gateway: async () => (await import('./gateway/index.js')).gatewayService,
  worker: async () => (await import('./worker/index.js')).workerService,
  collector: async () => (await import('./collector/index.js')).collectorService,
  'llm-sim': async () => (await import('./llm-sim/index.js')).llmSimService,
}

export function serviceNames(): string[] {
  return Object.keys(SERVICES).sort()
}
