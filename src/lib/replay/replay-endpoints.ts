// Where a replay reads and writes when flags do not say: the running stack's state (brokers,
// database, gateway, seeded API keys) and the manifest (the user-events topic, the projector's
// group and trending window), so `streamctl replay --from -2h` needs nothing else.
import {StreamctlError} from '../errors.js'
import {parseBrokerList} from '../stack/kafka-brokers.js'
import {readCredentials} from '../stack/credentials.js'
import type {Stack} from '../stack/load-stack.js'
import {stateDirFor} from '../stack/state-dir.js'
import {requireState, type StackState} from '../stack/state.js'

export interface EndpointFlags {
  brokers?: string
  databaseUrl?: string
  gateway?: string
  apiKey?: string
}

export class ReplayEndpoints {
  private state: StackState | undefined

  constructor(
    private readonly stack: Stack,
    private readonly flags: EndpointFlags,
  ) {}

  /** The topic of user events: the one whose value schema is `user-event`. */
  defaultTopic(): string {
    return (
      this.projectorEnv().USER_EVENTS_TOPIC ??
      this.stack.manifest.topics.find((topic) => topic.valueSchema === 'user-event')?.name ??
      'user-events'
    )
  }

  projectorGroup(): string {
    return this.projectorEnv().PROJECTOR_GROUP ?? 'projector'
  }

  trendingWindowMs(): number {
    return Number(this.projectorEnv().TRENDING_WINDOW_MS ?? 60_000)
  }

  async brokers(): Promise<string[]> {
    if (this.flags.brokers) return parseBrokerList(this.flags.brokers)
    const {kafkaBrokers} = (await this.stackState('--brokers host:port')).endpoints
    if (kafkaBrokers.length === 0)
      throw new StreamctlError('STACK_NOT_READY', `stack "${this.stack.manifest.name}" has no Kafka brokers`, {
        hint: 'Pass --brokers host:port.',
      })
    return kafkaBrokers
  }

  async databaseUrl(): Promise<string> {
    if (this.flags.databaseUrl) return this.flags.databaseUrl
    const {databaseUrl} = (await this.stackState('--database-url postgres://…')).endpoints
    if (!databaseUrl)
      throw new StreamctlError('STACK_NOT_READY', `stack "${this.stack.manifest.name}" has no PostgreSQL`, {
        hint: 'Pass --database-url postgres://….',
      })
    return databaseUrl
  }

  async gateway(): Promise<{url: string; keyOf: (user: string | null) => string | undefined}> {
    const url = this.flags.gateway ?? (await this.stackState('--gateway URL')).endpoints.services.gateway
    if (!url)
      throw new StreamctlError('STACK_NOT_READY', `stack "${this.stack.manifest.name}" has no gateway`, {
        hint: 'Pass --gateway URL.',
      })
    if (this.flags.apiKey) {
      const key = this.flags.apiKey
      return {url, keyOf: () => key}
    }
    const users = (await readCredentials(stateDirFor(this.stack.manifest.name))).users
    const byUser = new Map(users.map((user) => [user.userId, user.apiKey]))
    return {url, keyOf: (user) => (user && byUser.get(user)) || users[0]?.apiKey}
  }

  private projectorEnv(): Record<string, string> {
    return (
      this.stack.manifest.components.find((component) => (component.service ?? component.name) === 'projector')?.env ??
      {}
    )
  }

  private async stackState(flag: string): Promise<StackState> {
    try {
      this.state ??= await requireState(stateDirFor(this.stack.manifest.name), this.stack.manifest.name)
    } catch (error) {
      if (error instanceof StreamctlError && error.code === 'STACK_NOT_READY')
        throw new StreamctlError('STACK_NOT_READY', error.message, {
          hint: `Run \`streamctl up\` first, or pass ${flag}.`,
        })
      throw error
    }
    return this.state
  }
}
