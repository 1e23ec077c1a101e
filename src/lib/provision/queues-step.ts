// Declaring the manifest's RabbitMQ queues in the stack's vhost, with the arguments the services
// declare them with (queues.ts), so either may run first. A queue with a DLQ dead-letters through
// the default exchange, whose implicit binding routes by queue name: the plan lists that route.
// An existing queue is re-declared with the manifest's arguments during planning: identical
// arguments change nothing, different ones fail the plan (RabbitMQ cannot change a queue's
// arguments in place) before anything is applied.
import type {Channel, ChannelModel} from 'amqplib'
import {StreamctlError} from '../errors.js'
import type {Queue} from '../stack/manifest.js'
import {closeOnFailure, unchanged, type PlannedChange, type PlannedStep} from './plan.js'
import {declareQueues, describeQueue, queueArguments, queueArgumentsConflict} from './queues.js'

export async function planQueues(queues: Queue[], amqpUrl: string): Promise<PlannedStep> {
  const step: PlannedStep = {
    area: 'RabbitMQ queues',
    changes: [],
    conflicts: [],
    warnings: [],
    apply: async () => [],
    close: async () => {},
  }
  if (queues.length === 0) return step
  if (!amqpUrl) {
    step.changes = queues.map((queue) => ({
      kind: 'queue',
      name: queue.name,
      action: 'skip',
      detail: 'the stack has no RabbitMQ',
    }))
    step.warnings.push('the manifest declares queues but the stack has no RabbitMQ: queues were not declared')
    return step
  }
  const amqp = await import('amqplib')
  let connection: ChannelModel
  try {
    connection = await amqp.connect(amqpUrl, {timeout: 5000})
  } catch (error) {
    throw new StreamctlError(
      'STACK_NOT_READY',
      `RabbitMQ at ${redactUrl(amqpUrl)} does not answer: ${(error as Error).message}`,
      {hint: 'Check it with `streamctl status`.', cause: error},
    )
  }
  connection.on('error', () => {}) // a connection error also fails the pending call, which reports it
  step.close = () => connection.close().catch(() => {}) // best effort: the outcome is already decided and a broken connection has nothing left to close
  return closeOnFailure(step, async () => {
    const created = new Set<string>()
    for (const queue of queues) {
      const detail = describeQueue(queue)
      const exists = await probe(connection, (channel) => channel.checkQueue(queue.name))
      if (exists !== true) {
        assertNotFound(exists, `queue "${queue.name}"`)
        step.changes.push({kind: 'queue', name: queue.name, action: 'create', detail})
        created.add(queue.name)
        continue
      }
      const same = await probe(connection, (channel) =>
        channel.assertQueue(queue.name, {durable: queue.durable, arguments: queueArguments(queue)}),
      )
      if (same === true) step.changes.push(unchanged('queue', queue.name, detail))
      else step.conflicts.push(queueArgumentsConflict(queue, same))
    }
    for (const queue of queues.filter((candidate) => candidate.deadLetterQueue)) {
      const name = `${queue.name} → ${queue.deadLetterQueue}`
      const detail = `dead-lettered through the default exchange, routing key ${queue.deadLetterQueue}`
      const isNew = created.has(queue.name) || created.has(queue.deadLetterQueue!)
      step.changes.push(isNew ? {kind: 'binding', name, action: 'create', detail} : unchanged('binding', name, detail))
    }

    step.apply = async () => {
      const channel = await connection.createChannel()
      try {
        await declareQueues(channel, queues)
      } catch (error) {
        throw new StreamctlError(
          'QUEUE_DECLARE_FAILED',
          `declaring the RabbitMQ queues failed: ${(error as Error).message}`,
          {cause: error},
        )
      } finally {
        await channel.close().catch(() => {}) // a failed check closes the channel itself
      }
      return step.changes.filter((change): change is PlannedChange => change.action === 'create')
    }
    return step
  })
}

/** Runs one check on its own channel (RabbitMQ closes a channel on a failed check): true, or the error. */
async function probe(connection: ChannelModel, check: (channel: Channel) => Promise<unknown>): Promise<true | Error> {
  const channel = await connection.createChannel()
  channel.on('error', () => {}) // a failed check closes the channel with an error; probe() returns that error
  try {
    await check(channel)
    await channel.close().catch(() => {}) // the check passed; the connection closes the channel with it anyway
    return true
  } catch (error) {
    return error as Error
  }
}

/** A failed check means "missing" only when RabbitMQ said 404; anything else is a real failure. */
function assertNotFound(error: Error, what: string): void {
  if ((error as Error & {code?: number}).code === 404) return
  throw new StreamctlError('QUEUE_DECLARE_FAILED', `checking ${what} failed: ${error.message}`, {cause: error})
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@')
}
