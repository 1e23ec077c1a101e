// Fault injection on a running local stack, for timeline actions and `bench --chaos`: kill -9,
// pause (SIGSTOP), resume (SIGCONT) or restart one component we started, found by the process
// identity recorded in the state file (never by name, so nothing else on the machine is touched).
// Restart goes through the local driver's `up`, which starts again whatever is not healthy.
import {StreamctlError} from '../errors.js'
import {isSameProcess, stopProcess, type ProcessIdentity} from '../host/processes.js'
import {silentReporter} from '../ui/reporter.js'
import type {Stack} from './load-stack.js'
import {stateDirFor} from './state-dir.js'
import {readState, requireState, type ComponentState} from './state.js'

/** Faults on a component of the running local stack, for timeline actions and `--chaos`. */
export const COMPONENT_FAULTS = ['kill', 'pause', 'resume', 'restart'] as const
export type ComponentFault = (typeof COMPONENT_FAULTS)[number]

export interface FaultResult {
  ok: boolean
  error?: string
  response?: unknown
}

const SIGNAL_OF = {kill: 'SIGKILL', pause: 'SIGSTOP', resume: 'SIGCONT'} as const

export class ComponentFaults {
  private constructor(
    private readonly stack: Stack,
    private readonly stateDir: string,
  ) {}

  /** Checks that the stack is up with the local driver and that each named component is a process of ours. */
  static async open(stack: Stack, components: string[]): Promise<ComponentFaults> {
    const stateDir = stateDirFor(stack.manifest.name)
    const state = await requireState(stateDir, stack.manifest.name)
    if (state.driver !== 'local') {
      throw new StreamctlError(
        'COMPONENT_NOT_CONTROLLABLE',
        `stack "${stack.manifest.name}" is up with the ${state.driver} driver; kill, pause, resume and restart work on the local driver`,
        {hint: 'Bring the stack up with `streamctl up --driver local`, or drop the component actions.'},
      )
    }
    for (const name of new Set(components)) controllable(name, state.components[name], Object.keys(state.components))
    return new ComponentFaults(stack, stateDir)
  }

  async perform(fault: ComponentFault, name: string): Promise<FaultResult> {
    try {
      const state = await readState(this.stateDir)
      const identity = controllable(name, state?.components[name], Object.keys(state?.components ?? {}))
      if (fault === 'restart') return await this.restart(identity)
      if (!(await isSameProcess(identity))) return {ok: false, error: `${name} (pid ${identity.pid}) is not running`}
      signalGroup(identity.pid, SIGNAL_OF[fault])
      return {ok: true, response: {pid: identity.pid, signal: SIGNAL_OF[fault]}}
    } catch (error) {
      return {ok: false, error: (error as Error).message}
    }
  }

  private async restart(identity: ProcessIdentity): Promise<FaultResult> {
    // A paused process cannot act on SIGTERM; let it run so it can stop cleanly.
    if (await isSameProcess(identity)) {
      signalGroup(identity.pid, 'SIGCONT')
      await stopProcess(identity, 5000)
    }
    const {LocalDriver} = await import('./drivers/local/local-driver.js')
    const result = await new LocalDriver().up(
      {stack: this.stack, stateDir: this.stateDir, reporter: silentReporter(), env: process.env},
      {waitTimeoutMs: 60_000},
    )
    return {
      ok: true,
      response: {
        restarted: result.components
          .filter((component) => component.action === 'restarted')
          .map((component) => component.name),
      },
    }
  }
}

function controllable(name: string, component: ComponentState | undefined, known: string[]): ProcessIdentity {
  if (!component)
    throw new StreamctlError('COMPONENT_NOT_CONTROLLABLE', `no component "${name}" in the running stack`, {
      hint: `Pick one of: ${known.join(', ')}.`,
    })
  if (component.mode !== 'started' || !component.process) {
    throw new StreamctlError(
      'COMPONENT_NOT_CONTROLLABLE',
      `${name} is ${component.mode === 'reused' ? 'a server streamctl reused, not one it started' : `a ${component.mode} component`}: only processes the local driver started can be killed, paused or restarted`,
    )
  }
  return component.process
}

/** Signals the component's process group (a service and anything it spawned), or the process alone. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    process.kill(pid, signal)
  }
}
