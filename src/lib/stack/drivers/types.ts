// What every driver (local, compose, external) does for `up`, `down`, `status` and `logs`.
import type {ProgressReporter} from '../../ui/reporter.js'
import type {Stack} from '../load-stack.js'
import type {DriverName, Endpoints, StackState} from '../state.js'

export interface DriverContext {
  stack: Stack
  stateDir: string
  reporter: ProgressReporter
  env: NodeJS.ProcessEnv
}

export type UpAction = 'started' | 'restarted' | 'reused' | 'running' | 'checked'

export interface ComponentUp {
  name: string
  kind: string
  action: UpAction
  address: string
  pid?: number
  detail?: string
}

export interface UpResult {
  driver: DriverName
  stack: string
  /** False when everything was already up and healthy: a second `up` changes nothing. */
  changed: boolean
  components: ComponentUp[]
  endpoints: Endpoints
  stateFile: string
  /** The file holding the token of the gateway's admin API (admin-token.ts); none when the external driver was given no token. */
  adminTokenFile?: string
}

export interface UpOptions {
  waitTimeoutMs: number
  /** local: start private PostgreSQL/Redis/RabbitMQ even when shared ones answer. */
  ownServers?: boolean
  /** compose: rebuild the services image. */
  build?: boolean
}

export interface ComponentDown {
  name: string
  action: 'stopped' | 'killed' | 'not-running' | 'kept' | 'removed'
  detail?: string
}

export interface DownResult {
  driver: DriverName
  stack: string
  components: ComponentDown[]
  /** Data removed by --volumes: directories, databases, vhosts, key prefixes. */
  removed: string[]
}

export interface ComponentStatus {
  name: string
  kind: string
  mode: string
  address: string
  healthy: boolean
  detail: string
  version?: string
  pid?: number
}

export interface LogOptions {
  component?: string
  follow: boolean
  lines: number
  write: (chunk: string) => void
  signal?: AbortSignal
}

export interface StackDriver {
  readonly name: DriverName
  up(context: DriverContext, options: UpOptions): Promise<UpResult>
  down(context: DriverContext, state: StackState, options: {volumes: boolean}): Promise<DownResult>
  status(context: DriverContext, state: StackState): Promise<ComponentStatus[]>
  logs(context: DriverContext, state: StackState, options: LogOptions): Promise<void>
}
