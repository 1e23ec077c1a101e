// The stack manifest (`stack.yaml`): what a stack is made of and what "provisioned" means for it.
// The TypeScript types below are what the rest of streamctl reads; `manifestSchema` is the
// structural check users get line-numbered errors from. Keep the two in step.
import type {SlaTarget} from '../sla/targets.js'
import type {JsonSchema} from '../yaml/schema-check.js'

export const MANIFEST_API_VERSION = 'streamctl.dev/v1'

export type ComponentKind = 'kafka' | 'schema-registry' | 'postgres' | 'redis' | 'rabbitmq' | 'service'

export interface Component {
  name: string
  kind: ComponentKind
  /** The main port; on the local driver, where the component listens on 127.0.0.1. */
  port: number
  /** Further named ports, e.g. `{grpc: 50051}`. */
  ports: Record<string, number>
  /** For `kind: service`: the name passed to `streamctl serve` (defaults to the component name). */
  service?: string
  /** HTTP path answering 200 when the component is ready (services only). */
  health: string
  env: Record<string, string>
  dependsOn: string[]
  /** postgres: the dedicated database; redis: the key prefix; rabbitmq: the vhost. */
  database?: string
  keyPrefix?: string
  vhost?: string
}

export interface Topic {
  name: string
  partitions: number
  replication: number
  configs: Record<string, string>
  /** Name of an entry in `schemas` that values of this topic follow. */
  valueSchema?: string
}

export interface EventSchema {
  name: string
  /** Schema-registry subject, e.g. `user-events-value`. */
  subject: string
  /** Path relative to the stack directory. */
  file: string
}

export interface Queue {
  name: string
  durable: boolean
  /** Highest message priority the queue accepts (RabbitMQ `x-max-priority`); 0 for none. */
  maxPriority: number
  /** Messages dead-lettered from this queue land in this queue. */
  deadLetterQueue?: string
  /** Per-message TTL in ms (`x-message-ttl`), if any. */
  messageTtlMs?: number
  /** `lazy` keeps messages on disk rather than in memory (`x-queue-mode`; RabbitMQ 3.12+ ignores it and always does). */
  mode?: 'default' | 'lazy'
  /** Classic-queue storage version (`x-queue-version`); 2 is the newer store, the only one from RabbitMQ 4.0. */
  version?: 1 | 2
}

export interface QuotaLimits {
  requests: number
  tokens: number
}

export interface QuotaTier {
  name: string
  daily: QuotaLimits
  monthly: QuotaLimits
  rateLimit: {perSecond: number; burst: number}
  /** Higher is served first when request prioritisation is switched on. */
  priority: number
  /** Its keys may read any user's recommendations and requests and send events for any user (default: only their own user's). */
  readsAllUsers?: boolean
}

export interface QuotaSeed {
  users: number
  /** Share of seeded users per tier, in percent. */
  mix: Record<string, number>
  seed: number
}

export interface StackManifest {
  apiVersion: typeof MANIFEST_API_VERSION
  name: string
  description?: string
  components: Component[]
  topics: Topic[]
  schemas: EventSchema[]
  /** Directory of `NNNN_name.sql` files, relative to the stack directory. */
  migrations: string
  queues: Queue[]
  quotas: {tiers: QuotaTier[]; seed: QuotaSeed}
  sla: SlaTarget[]
  /** Directory of load profiles (`*.yaml`), relative to the stack directory. */
  profiles: string
}

const name = {type: 'string', pattern: '^[a-z][a-z0-9_.-]*$'}
const port = {type: 'integer', minimum: 1, maximum: 65535}
const stringMap = {type: 'object', additionalProperties: {type: ['string', 'number', 'boolean']}}
const limits = {
  type: 'object',
  additionalProperties: false,
  required: ['requests', 'tokens'],
  properties: {requests: {type: 'integer', minimum: 0}, tokens: {type: 'integer', minimum: 0}},
}

export const manifestSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'name', 'components', 'topics', 'queues', 'quotas'],
  properties: {
    apiVersion: {const: MANIFEST_API_VERSION},
    name,
    description: {type: 'string'},
    components: {
      type: 'object',
      minProperties: 1,
      propertyNames: name,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'port'],
        properties: {
          kind: {enum: ['kafka', 'schema-registry', 'postgres', 'redis', 'rabbitmq', 'service']},
          port,
          ports: {type: 'object', additionalProperties: port},
          service: name,
          health: {type: 'string', pattern: '^/'},
          env: stringMap,
          dependsOn: {type: 'array', items: name, uniqueItems: true},
          database: {type: 'string', pattern: '^[a-z_][a-z0-9_]*$'},
          keyPrefix: {type: 'string', minLength: 1},
          vhost: {type: 'string', minLength: 1},
        },
      },
    },
    topics: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'partitions'],
        properties: {
          name: {type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$'},
          partitions: {type: 'integer', minimum: 1, maximum: 10000},
          replication: {type: 'integer', minimum: 1, maximum: 32},
          configs: stringMap,
          valueSchema: name,
        },
      },
    },
    schemas: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'subject', 'file'],
        properties: {name, subject: {type: 'string', minLength: 1}, file: {type: 'string', minLength: 1}},
      },
    },
    migrations: {type: 'string', minLength: 1},
    queues: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: {type: 'string', pattern: '^[a-zA-Z0-9._:-]{1,255}$'},
          durable: {type: 'boolean'},
          maxPriority: {type: 'integer', minimum: 0, maximum: 255},
          deadLetterQueue: {type: 'string'},
          messageTtl: {type: 'integer', minimum: 0},
          mode: {enum: ['default', 'lazy']},
          version: {enum: [1, 2]},
        },
      },
    },
    quotas: {
      type: 'object',
      additionalProperties: false,
      required: ['tiers'],
      properties: {
        tiers: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'daily', 'monthly', 'rateLimit'],
            properties: {
              name,
              daily: limits,
              monthly: limits,
              rateLimit: {
                type: 'object',
                additionalProperties: false,
                required: ['perSecond', 'burst'],
                properties: {perSecond: {type: 'number', exclusiveMinimum: 0}, burst: {type: 'integer', minimum: 1}},
              },
              priority: {type: 'integer', minimum: 0, maximum: 255},
              readsAllUsers: {type: 'boolean'},
            },
          },
        },
        seed: {
          type: 'object',
          additionalProperties: false,
          required: ['users', 'mix'],
          properties: {
            users: {type: 'integer', minimum: 0, maximum: 10_000_000},
            mix: {type: 'object', additionalProperties: {type: 'number', minimum: 0}},
            seed: {type: 'integer'},
          },
        },
      },
    },
    // Checked by readSlaTargets, which also parses each threshold.
    sla: {},
    profiles: {type: 'string', minLength: 1},
  },
}
