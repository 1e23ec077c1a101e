// Declares the manifest's RabbitMQ queues: durable, with their dead-letter queue (through the
// default exchange) and max priority. `provision` and the services that use a queue declare it with
// the same arguments, so either may run first and RabbitMQ never sees a conflicting redeclaration.
import type {Channel} from 'amqplib'
import {StreamctlError} from '../errors.js'
import type {Queue} from '../stack/manifest.js'

export function queueArguments(queue: Queue): Record<string, unknown> {
  return {
    ...(queue.deadLetterQueue ? {'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue.deadLetterQueue} : {}),
    ...(queue.maxPriority > 0 ? {'x-max-priority': queue.maxPriority} : {}),
    ...(queue.messageTtlMs === undefined ? {} : {'x-message-ttl': queue.messageTtlMs}),
  }
}

export async function declareQueues(channel: Channel, queues: Queue[]): Promise<void> {
  for (const queue of queues) await channel.assertQueue(queue.name, {durable: queue.durable, arguments: queueArguments(queue)})
}

/** A queue of the manifest by name, and its dead-letter queue declared before it. */
export function queueWithDeadLetter(queues: Queue[], name: string): Queue[] {
  const queue = queues.find((candidate) => candidate.name === name)
  if (!queue) throw new StreamctlError('MANIFEST_INVALID', `stack.yaml declares no queue "${name}"`, {hint: `Add it under queues: (declared: ${queues.map((candidate) => candidate.name).join(', ') || 'none'}).`})
  const deadLetter = queue.deadLetterQueue ? queues.find((candidate) => candidate.name === queue.deadLetterQueue) : undefined
  return deadLetter ? [deadLetter, queue] : [queue]
}
