// Which Kafka brokers an admin command talks to: --brokers (or KAFKA_BROKERS) when given, else
// the bootstrap brokers of the stack that `up` brought up, read from its state file.
import {StreamctlError} from '../errors.js'
import type {Stack} from './load-stack.js'
import {stateDirFor} from './state-dir.js'
import {requireState} from './state.js'

/** `host:port[,host:port…]`; INVALID_FLAG naming the entry that is not one. */
export function parseBrokerList(text: string, flag = '--brokers'): string[] {
  const brokers = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (brokers.length === 0) throw new StreamctlError('INVALID_FLAG', `${flag}: expected host:port[,host:port…]`)
  for (const broker of brokers) {
    const match = /^(\[[0-9a-fA-F:]+\]|[^\s:/]+):(\d{1,5})$/.exec(broker)
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65_535)
      throw new StreamctlError('INVALID_FLAG', `${flag}: "${broker}" is not host:port`)
  }
  return brokers
}

export async function brokersOfStack(stack: Stack, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const state = await requireState(stateDirFor(stack.manifest.name, env), stack.manifest.name)
  if (state.endpoints.kafkaBrokers.length === 0) {
    throw new StreamctlError('STACK_NOT_READY', `stack "${stack.manifest.name}" has no Kafka brokers in its state`, {
      hint: 'Add a kafka component to the stack, or pass --brokers host:port.',
    })
  }
  return state.endpoints.kafkaBrokers
}
