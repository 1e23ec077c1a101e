// The RabbitMQ topology a manifest's `queues` stand for: each queue's arguments, and a direct
// dead-letter exchange whose bindings route a rejected message to its queue's DLQ. `provision`
// declares it; anything else that declares these queues (a service at start) must use the same
// arguments, or RabbitMQ refuses the declaration with PRECONDITION_FAILED.
import type {Queue} from './manifest.js'

/** Messages dead-lettered from a queue are published here with their DLQ's name as routing key. */
export const DEAD_LETTER_EXCHANGE = 'streamctl.dlx'

export interface QueueDeclaration {
  name: string
  durable: boolean
  arguments: Record<string, string | number>
}

export interface QueueBinding {
  queue: string
  exchange: string
  routingKey: string
}

export interface QueueTopology {
  exchanges: Array<{name: string; type: 'direct'; durable: true}>
  queues: QueueDeclaration[]
  bindings: QueueBinding[]
}

export function queueArguments(queue: Queue): Record<string, string | number> {
  return {
    ...(queue.maxPriority > 0 ? {'x-max-priority': queue.maxPriority} : {}),
    ...(queue.messageTtlMs === undefined ? {} : {'x-message-ttl': queue.messageTtlMs}),
    ...(queue.deadLetterQueue ? {'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE, 'x-dead-letter-routing-key': queue.deadLetterQueue} : {}),
  }
}

export function queueTopology(queues: Queue[]): QueueTopology {
  const deadLetterQueues = [...new Set(queues.flatMap((queue) => (queue.deadLetterQueue ? [queue.deadLetterQueue] : [])))]
  return {
    exchanges: deadLetterQueues.length > 0 ? [{name: DEAD_LETTER_EXCHANGE, type: 'direct', durable: true}] : [],
    queues: queues.map((queue) => ({name: queue.name, durable: queue.durable, arguments: queueArguments(queue)})),
    bindings: deadLetterQueues.map((queue) => ({queue, exchange: DEAD_LETTER_EXCHANGE, routingKey: queue})),
  }
}
