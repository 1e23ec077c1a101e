// The state file of a running stack (<state dir>/state.json): which driver brought it up, what
// each component is (a process we started, a server we reuse, a compose service, an external
// endpoint), and the endpoints clients connect to. `status`, `logs`, `down`, `provision` and
// `bench` read it, from any shell.
import {mkdir, open, readFile, rename, rm} from 'node:fs/promises'
import path from 'node:path'
import {StreamctlError} from '../errors.js'
import {isAlive, type ProcessIdentity} from '../host/processes.js'
import type {ComponentKind} from './manifest.js'

export const STATE_FILE = 'state.json'

export type DriverName = 'local' | 'compose' | 'external'

/** Where clients reach the stack. */
export interface Endpoints {
  kafkaBrokers: string[]
  schemaRegistryUrl?: string
  databaseUrl: string
  redisUrl: string
  redisKeyPrefix: string
  amqpUrl: string
  /** Base URL of each HTTP service, by component name. */
  services: Record<string, string>
}

export interface ComponentState {
  name: string
  kind: ComponentKind
  /** started: a process of ours; reused: a server already on this machine; compose; external. */
  mode: 'started' | 'reused' | 'compose' | 'external'
  host: string
  port: number
  ports: Record<string, number>
  process?: ProcessIdentity & {command: string[]}
  logFile?: string
  /** Data directory of a process we started (deleted by `down --volumes`). */
  dataDir?: string
  startedAt?: string
  /** What `up` created on a reused server for isolation (removed by `down --volumes`). */
  created?: {database?: string; vhost?: string}
}

export interface StackState {
  schemaVersion: 1
  stack: string
  stackDir: string
  driver: DriverName
  /** Compose project name. */
  project?: string
  updatedAt: string
  components: Record<string, ComponentState>
  endpoints: Endpoints
}

export async function readState(stateDir: string): Promise<StackState | undefined> {
  const text = await readFile(path.join(stateDir, STATE_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as StackState
  } catch (error) {
    throw new StreamctlError('STACK_STATE_CORRUPT', `${path.join(stateDir, STATE_FILE)} is not valid JSON`, {
      hint: 'Stop leftover processes by hand (see the log files beside it) and delete the file, then run `streamctl up` again.',
      cause: error,
    })
  }
}

/** The state of a stack that must be up; exits 3 with what to run otherwise. */
export async function requireState(stateDir: string, stackName: string): Promise<StackState> {
  const state = await readState(stateDir)
  if (!state) {
    throw new StreamctlError('STACK_NOT_READY', `stack "${stackName}" is not up (no state in ${stateDir})`, {
      hint: 'Run `streamctl up` first.',
    })
  }
  return state
}

/** Replaces the state file atomically: a reader never sees half a file. */
export async function writeState(stateDir: string, state: StackState): Promise<void> {
  await mkdir(stateDir, {recursive: true, mode: 0o700})
  const file = path.join(stateDir, STATE_FILE)
  const temporary = `${file}.${process.pid}.tmp`
  const handle = await open(temporary, 'w', 0o600)
  try {
    await handle.writeFile(`${JSON.stringify({...state, updatedAt: new Date().toISOString()}, null, 2)}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temporary, file)
}

export async function removeState(stateDir: string): Promise<void> {
  await rm(path.join(stateDir, STATE_FILE), {force: true})
}

/** An exclusive lock on a stack's state, so two `up`s or an `up` and a `down` never interleave. */
export async function withStateLock<T>(stateDir: string, work: () => Promise<T>, waitMs = 30_000): Promise<T> {
  await mkdir(stateDir, {recursive: true, mode: 0o700})
  const lock = path.join(stateDir, 'state.lock')
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      const handle = await open(lock, 'wx')
      await handle.writeFile(String(process.pid))
      await handle.close()
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const holder = Number(await readFile(lock, 'utf8').catch(() => '0'))
      if (!holder || !isAlive(holder)) {
        await rm(lock, {force: true})
        continue
      }
      if (Date.now() > deadline) {
        throw new StreamctlError('STACK_BUSY', `another streamctl (pid ${holder}) is changing this stack`, {
          hint: 'Wait for it to finish, or stop it, then retry.',
        })
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  try {
    return await work()
  } finally {
    await rm(lock, {force: true})
  }
}
