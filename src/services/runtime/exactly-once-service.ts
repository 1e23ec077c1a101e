// The start-up of a service whose work is one exactly-once Kafka consumer (the projector and the
// content pipeline): it counts the records the consumer applies and skips, pauses it while the
// pausedConsumers fault lists its group (given the switches), stops it with the service, keeps its
// lag in /metrics, and serves /healthz, /readyz and /metrics.
import {Counter} from 'prom-client'
import {Metrics} from '../../lib/streamflow/api.js'
import {ExactlyOnceConsumer, type ExactlyOnceConsumerOptions} from '../../lib/streamflow/exactly-once-consumer.js'
import {Router} from '../http/router.js'
import {reportConsumerLag} from './lag-reporter.js'
import type {RunningService, ServiceRuntime} from './service-runtime.js'
import type {SwitchesStore} from './switches.js'

export interface ExactlyOnceServiceOptions<T> extends Omit<
  ExactlyOnceConsumerOptions<T>,
  'kafka' | 'onBatch' | 'onError'
> {
  /** How often the consumer's lag is read into /metrics (LAG_INTERVAL_MS). */
  lagIntervalMs: number
  /** The warning a consumer error is logged with (its message follows). */
  errorMessage: string
  /** When given, the consumer pauses while faults.pausedConsumers lists its group. */
  switches?: SwitchesStore
}

/** Starts the consumer on the service's Kafka client, then the HTTP server; what `start` returns. */
export async function serveExactlyOnceConsumer<T>(
  runtime: ServiceRuntime,
  options: ExactlyOnceServiceOptions<T>,
): Promise<RunningService> {
  const {lagIntervalMs, errorMessage, switches, ...consumerOptions} = options
  const group = options.groupId
  const consumed = new Counter({
    name: Metrics.eventsConsumed,
    help: 'Records consumed, applied or skipped (already applied, or invalid)',
    labelNames: ['group', 'topic', 'outcome'],
    registers: [runtime.metrics.registry],
  })
  const consumer = new ExactlyOnceConsumer<T>({
    ...consumerOptions,
    kafka: await runtime.kafka(),
    onBatch: (topic, result) => {
      consumed.inc({group, topic, outcome: 'applied'}, result.applied)
      consumed.inc({group, topic, outcome: 'skipped'}, result.skipped)
    },
    onError: (error) => runtime.log.warn(errorMessage, {error: error.message}),
  })
  // Before start, so a consumer paused by the fault takes no batch first.
  switches?.onChange((current) => consumer.setPaused(current.faults.pausedConsumers.includes(group)))
  await consumer.start()
  runtime.onClose('consumer', () => consumer.stop())
  reportConsumerLag(runtime, consumer, group, lagIntervalMs)
  await runtime.listen(new Router())
  return runtime.running()
}
