// Declares the manifest's RabbitMQ queues: durable, with their dead-letter queue (through the
// default exchange), max priority, and the storage mode and version where the manifest sets them. `provision` and the services that use a queue declare it with
// the same arguments, so either may run first and RabbitMQ never sees a conflicting redeclaration.
import type {Channel} from 'amqplib'
import {StreamctlError} from '../errors.js'
import type {Queue} from '../stack/manifest.js'

export function queueArguments(queue: Queue): Record<string, unknown> {
  return {
    ...(queue.deadLetterQueue
      ? {'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue.deadLetterQueue}
      : {}),
    ...(queue.maxPriority > 0 ? {'x-max-priority': queue.maxPriority} : {}),
    ...(queue.messageTtlMs === undefined ? {} : {'x-message-ttl': queue.messageTtlMs}),
    ...(queue.mode === undefined ? {} : {'x-queue-mode': queue.mode}),
    ...(queue.version === undefined ? {} : {'x-queue-version': queue.version}),
  }
}

/** The queue as the manifest declares it: `durable, x-max-priority=10, …`. */
export function describeQueue(queue: Queue): string {
  return [
    queue.durable ? 'durable' : 'transient',
    ...Object.entries(queueArguments(queue)).map(([key, value]) => `${key}=${String(value) || "''"}`),
  ].join(', ')
}

/** What to say when RabbitMQ refuses a declaration (406 PRECONDITION_FAILED) because the queue exists with other arguments. */
export function queueArgumentsConflict(queue: Queue, refusal: Error): string {
  return `queue "${queue.name}" exists with other arguments than the manifest's (${describeQueue(queue)}): ${refusal.message}. RabbitMQ cannot change them in place; delete the queue (its messages go with it) and provision again`
}

export async function declareQueues(channel: Channel, queues: Queue[]): Promise<void> {
  for (const queue of queues) {
    try {
      await channel.assertQueue(queue.name, {durable: queue.durable, arguments: queueArguments(queue)})
    } catch (error) {
      // A service retries its channel in the background and logs this: say what to do, not only what RabbitMQ said.
      if ((error as Error & {code?: number}).code === 406)
        throw new Error(queueArgumentsConflict(queue, error as Error), {cause: error})
      throw error
    }
  }
}

/** A queue of the manifest by name, and its dead-letter queue declared before it. */
export function queueWithDeadLetter(queues: Queue[], name: string): Queue[] {
  const queue = queues.find((candidate) => candidate.name === name)
  if (!queue)
    throw new StreamctlError('MANIFEST_INVALID', `stack.yaml declares no queue "${name}"`, {
      hint: `Add it under queues: (declared: ${queues.map((candidate) => candidate.name).join(', ') || 'none'}).`,
    })
  const deadLetter = queue.deadLetterQueue
    ? queues.find((candidate) => candidate.name === queue.deadLetterQueue)
    : undefined
  return deadLetter ? [deadLetter, queue] : [queue]
}
