// The running stack's own hold on ports: which of its components listens on a port, judged by the
// process that listens there, so `doctor` reports the stack's ports as the stack's instead of
// telling a user to kill their own processes.
import type {PortOwner} from '../host/ports.js'
import {descendants, isSameProcess} from '../host/processes.js'
import type {StackState} from '../stack/state.js'

export interface StackPort {
  component: string
  port: number
  /** The process this stack started for the component, while it is still that process. */
  pid?: number
  /** That process and every process it started: any of them may be the one listening. */
  processIds: number[]
  /** Published by the stack's compose project (the listener is docker-proxy, or not visible). */
  published: boolean
}

export interface RunningStack {
  name: string
  driver: StackState['driver']
  /** Components whose process this stack started, and how many of them still run. */
  processes: number
  running: number
  ports: StackPort[]
}

/** What the state file says runs, checked against /proc (a pid alone may have been reused). */
export async function inspectRunningStack(state: StackState): Promise<RunningStack> {
  let processes = 0
  let running = 0
  const ports = await Promise.all(
    Object.values(state.components).map(async (component): Promise<StackPort[]> => {
      const identity = component.process
      if (identity) processes++
      const alive = identity ? await isSameProcess(identity) : false
      if (alive) running++
      const processIds = alive ? [identity!.pid, ...(await descendants(identity!.pid))] : []
      return [component.port, ...Object.values(component.ports)].map((port) => ({
        component: component.name,
        port,
        ...(alive ? {pid: identity!.pid} : {}),
        processIds,
        published: component.mode === 'compose',
      }))
    }),
  )
  return {name: state.stack, driver: state.driver, processes, running, ports: ports.flat()}
}

/** The stack component that holds `port` in use, or undefined when the listener is someone else's. */
export function portHolder(
  port: number,
  owner: PortOwner | undefined,
  stack: RunningStack | undefined,
): StackPort | undefined {
  const candidates = (stack?.ports ?? []).filter((candidate) => candidate.port === port)
  return candidates.find((candidate) =>
    owner
      ? candidate.processIds.includes(owner.pid) || (candidate.published && owner.command === 'docker-proxy')
      : candidate.published,
  )
}
