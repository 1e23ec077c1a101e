// Keeps a consumer's per-partition lag (high watermark minus the offset stored in PostgreSQL) in
// the service's /metrics, read every intervalMs; stops with the service.
import type {ServiceRuntime} from './service-runtime.js'
import type {ExactlyOnceConsumer} from '../../lib/streamflow/exactly-once-consumer.js'

export function reportConsumerLag<T>(
  runtime: ServiceRuntime,
  consumer: ExactlyOnceConsumer<T>,
  group: string,
  intervalMs: number,
): void {
  let reading = false
  const timer = setInterval(() => {
    if (reading) return
    reading = true
    consumer
      .lag()
      .then(
        (lags) => {
          for (const lag of lags)
            runtime.metrics.consumerLag.set({group, topic: lag.topic, partition: String(lag.partition)}, lag.lag)
        },
        (error: Error) => runtime.log.warn('cannot read consumer lag', {error: error.message}),
      )
      .finally(() => (reading = false))
  }, intervalMs)
  runtime.onClose('lag reporter', async () => clearInterval(timer))
}
