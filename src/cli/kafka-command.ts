// What the `topics` and `groups` commands share: where the brokers are (--brokers, else the
// stack's state) and one admin connection for the command's work.
import {Flags, type Command} from '@oclif/core'
import type {KafkaAdmin} from '../lib/kafka/client.js'
import {StreamctlError} from '../lib/errors.js'
import {StreamctlCommand, stackFlag} from './base-command.js'

export const kafkaFlags = {
  brokers: Flags.string({
    env: 'KAFKA_BROKERS',
    helpGroup: 'KAFKA',
    description:
      'Bootstrap brokers host:port[,host:port…], e.g. a real cluster (default: the brokers of the stack that `up` brought up)',
  }),
  stack: stackFlag,
}

export abstract class KafkaCommand<T extends typeof Command> extends StreamctlCommand<T> {
  /** Runs `work` against the brokers of --brokers or of the running stack. */
  protected async withKafka<R>(work: (client: KafkaAdmin) => Promise<R>): Promise<R> {
    const flags = this.flags as {brokers?: string; stack?: string}
    const {parseBrokerList, brokersOfStack} = await import('../lib/stack/kafka-brokers.js')
    let brokers: string[]
    if (flags.brokers) brokers = parseBrokerList(flags.brokers)
    else {
      const stack = await this.loadStack(flags.stack)
      brokers = await brokersOfStack(stack).catch((error: unknown) => {
        if (error instanceof StreamctlError && error.code === 'STACK_NOT_READY') {
          throw new StreamctlError('STACK_NOT_READY', error.message, {
            hint: 'Run `streamctl up` first, or point at a cluster with --brokers host:port.',
          })
        }
        throw error
      })
    }
    const {withAdmin} = await import('../lib/kafka/client.js')
    return withAdmin(brokers, work)
  }
}
