// collector: consumes `inference_results` and settles each request once — the usage_log row and
// the request row in one PostgreSQL transaction (usage_log's primary key is the request id), then
// the Redis quota (release the estimate, add the actual tokens; the open-reservation entry makes it
// idempotent). A redelivered result therefore never charges twice. PostgreSQL and Redis must answer
// at start; RabbitMQ need not: the consumer subscribes in the background, and /readyz is false until
// it has a channel. Config: config.ts.
import {Histogram} from 'prom-client'
import {Metrics} from '../../lib/streamflow/api.js'
import {Router} from '../http/router.js'
import type {InferenceResultMessage} from '../amqp/inference-messages.js'
import {consumeQueue, parseJsonMessage, tieConsumerToService} from '../amqp/queue-consumer.js'
import {ServiceRuntime, type ServiceContext, type ServiceDefinition} from '../runtime/service-runtime.js'
import {readCollectorConfig} from './config.js'
import {settleResult} from './settle.js'

export const collectorService: ServiceDefinition = {
  defaultPort: 8086,
  async start(context: ServiceContext) {
    const runtime = new ServiceRuntime(context, this.defaultPort)
    const config = readCollectorConfig(context.env)
    const {log, metrics} = runtime
    const [pg, redis, switches] = await Promise.all([runtime.postgres(), runtime.redis(), runtime.switches()])
    // By tier, so prioritisation shows: the higher tiers' requests leave a backed-up queue first.
    const completion = new Histogram({
      name: Metrics.requestCompletionSeconds,
      help: "Seconds from a generate request's creation to its settlement, by tier",
      labelNames: ['tier'],
      buckets: [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [metrics.registry],
    })
    const consumer = await consumeQueue(
      runtime.channels([config.resultsQueue]),
      config.resultsQueue,
      {prefetch: config.prefetch, log, metrics},
      async (message) => {
        const result = parseJsonMessage<InferenceResultMessage>(message)
        if (
          !result ||
          typeof result.request_id !== 'string' ||
          (result.status !== 'completed' && result.status !== 'failed')
        ) {
          log.warn('malformed result message dead-lettered', {message_id: message.properties.messageId})
          return 'dead-letter'
        }
        const outcome = await settleResult(pg, redis, result, (tier, seconds) => completion.observe({tier}, seconds))
        if (outcome === 'unknown-request') {
          log.warn('result for an unknown request dead-lettered', {request_id: result.request_id})
          return 'dead-letter'
        }
        return 'ack'
      },
    )
    tieConsumerToService(runtime, switches, consumer)
    await runtime.listen(new Router(), {
      redis: () => redis.status === 'ready',
      'rabbitmq-consumer': () => consumer.consuming,
    })
    return runtime.running()
  },
}
