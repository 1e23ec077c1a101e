// Declaring the manifest's RabbitMQ queues, the dead-letter exchange and the DLQ bindings in the
// stack's vhost. An existing queue is re-declared passively with the manifest's arguments during
// planning: identical arguments change nothing, different ones fail the plan (RabbitMQ cannot
// change a queue's arguments in place) before anything is applied.
import type {Channel, ChannelModel} from 'amqplib'
import {StreamctlError} from '../errors.js'
import type {Queue} from '../stack/manifest.js'
import {queueTopology} from '../stack/queue-topology.js'
import {closeOnFailure, unchanged, type PlannedChange, type PlannedStep} from './plan.js'

export async function planQueues(queues: Queue[], amqpUrl: string): Promise<PlannedStep> {
  const step: PlannedStep = {area: 'RabbitMQ queues', changes: [], conflicts: [], warnings: [], apply: async () => [], close: async () => {}}
  if (queues.length === 0) return step
  if (!amqpUrl) {
    step.changes = queues.map((queue) => ({kind: 'queue', name: queue.name, action: 'skip', detail: 'the stack has no RabbitMQ'}))
    step.warnings.push('the manifest declares queues but the stack has no RabbitMQ: queues were not declared')
    return step
  }
  const amqp = await import('amqplib')
  let connection: ChannelModel
  try {
    connection = await amqp.connect(amqpUrl, {timeout: 5000})
  } catch (error) {
    throw new StreamctlError('STACK_NOT_READY', `RabbitMQ at ${redactUrl(amqpUrl)} does not answer: ${(error as Error).message}`, {hint: 'Check it with `streamctl status`.', cause: error})
  }
  connection.on('error', () => {})
  step.close = () => connection.close().catch(() => {})
  return closeOnFailure(step, async () => {
    const topology = queueTopology(queues)
    const created = new Set<string>()

    for (const exchange of topology.exchanges) {
      const exists = await probe(connection, (channel) => channel.checkExchange(exchange.name))
      if (exists !== true) assertNotFound(exists, `exchange "${exchange.name}"`)
      if (exists === true) step.changes.push(unchanged('exchange', exchange.name, 'direct, durable'))
      else {
        step.changes.push({kind: 'exchange', name: exchange.name, action: 'create', detail: 'direct, durable: routes dead-lettered messages to their DLQ'})
        created.add(exchange.name)
      }
    }
    for (const queue of topology.queues) {
      const detail = [queue.durable ? 'durable' : 'transient', ...Object.entries(queue.arguments).map(([key, value]) => `${key}=${value}`)].join(', ')
      const exists = await probe(connection, (channel) => channel.checkQueue(queue.name))
      if (exists !== true) {
        assertNotFound(exists, `queue "${queue.name}"`)
        step.changes.push({kind: 'queue', name: queue.name, action: 'create', detail})
        created.add(queue.name)
        continue
      }
      const same = await probe(connection, (channel) => channel.assertQueue(queue.name, {durable: queue.durable, arguments: queue.arguments}))
      if (same === true) step.changes.push(unchanged('queue', queue.name, detail))
      else step.conflicts.push(`queue "${queue.name}" exists with other arguments than the manifest's (${detail}): ${same.message}. RabbitMQ cannot change them in place; delete the queue (its messages go with it) and provision again`)
    }
    for (const binding of topology.bindings) {
      const name = `${binding.exchange} → ${binding.queue}`
      const isNew = created.has(binding.exchange) || created.has(binding.queue)
      step.changes.push(isNew ? {kind: 'binding', name, action: 'create', detail: `routing key ${binding.routingKey}`} : unchanged('binding', name, `routing key ${binding.routingKey}`))
    }

    step.apply = async () => {
      const channel = await connection.createChannel()
      try {
        for (const exchange of topology.exchanges) await channel.assertExchange(exchange.name, exchange.type, {durable: exchange.durable})
        for (const queue of topology.queues) await channel.assertQueue(queue.name, {durable: queue.durable, arguments: queue.arguments})
        // Binding is idempotent, so every binding is (re)asserted; only new ones are reported.
        for (const binding of topology.bindings) await channel.bindQueue(binding.queue, binding.exchange, binding.routingKey)
      } catch (error) {
        throw new StreamctlError('QUEUE_DECLARE_FAILED', `declaring the RabbitMQ topology failed: ${(error as Error).message}`, {cause: error})
      } finally {
        await channel.close().catch(() => {})
      }
      return step.changes.filter((change): change is PlannedChange => change.action === 'create')
    }
    return step
  })
}

/** Runs one check on its own channel (RabbitMQ closes a channel on a failed check): true, or the error. */
async function probe(connection: ChannelModel, check: (channel: Channel) => Promise<unknown>): Promise<true | Error> {
  const channel = await connection.createChannel()
  channel.on('error', () => {})
  try {
    await check(channel)
    await channel.close().catch(() => {})
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
