// The stack gauges `status` shows next to health: queue depth per queue, consumer lag per group,
// and the cache hit rate the services report. Each is read independently; one that cannot be
// read is reported as unavailable rather than failing the others.
import type {StackManifest} from './manifest.js'
import type {StackState} from './state.js'

export interface StackGauges {
  queues: Array<{name: string; depth?: number; consumers?: number}>
  consumerLag: Array<{group: string; topic: string; lag: number}>
  cacheHitRate?: number
  /** Gauges that could not be read, and why. */
  unavailable: string[]
}

export async function collectGauges(manifest: StackManifest, state: StackState): Promise<StackGauges> {
  const gauges: StackGauges = {queues: [], consumerLag: [], unavailable: []}
  await Promise.all([
    readQueueDepths(manifest, state).then(
      (queues) => (gauges.queues = queues),
      (error: Error) => gauges.unavailable.push(`queue depth: ${error.message}`),
    ),
    readConsumerLag(state).then(
      (lags) => (gauges.consumerLag = lags),
      (error: Error) => gauges.unavailable.push(`consumer lag: ${error.message}`),
    ),
  ])
  return gauges
}

async function readQueueDepths(manifest: StackManifest, state: StackState): Promise<StackGauges['queues']> {
  if (!state.endpoints.amqpUrl || manifest.queues.length === 0) return []
  const amqp = await import('amqplib')
  const connection = await amqp.connect(state.endpoints.amqpUrl, {timeout: 3000})
  try {
    const depths: StackGauges['queues'] = []
    for (const queue of manifest.queues) {
      // A channel closes on a missing queue, so each check gets its own.
      const channel = await connection.createChannel()
      channel.on('error', () => {}) // a missing queue closes the channel; checkQueue's rejection reports it
      try {
        const info = await channel.checkQueue(queue.name)
        depths.push({name: queue.name, depth: info.messageCount, consumers: info.consumerCount})
        await channel.close()
      } catch {
        depths.push({name: queue.name})
      }
    }
    return depths
  } finally {
    await connection.close()
  }
}

async function readConsumerLag(state: StackState): Promise<StackGauges['consumerLag']> {
  if (state.endpoints.kafkaBrokers.length === 0) return []
  const [{withAdmin}, {lagByGroup}] = await Promise.all([import('../kafka/client.js'), import('../kafka/groups.js')])
  return withAdmin(state.endpoints.kafkaBrokers, ({admin}) => lagByGroup(admin))
}
