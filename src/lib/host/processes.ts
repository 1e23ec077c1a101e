// Child processes that outlive the command that started them (the local driver's components), and
// stopping exactly those later from another shell. A pid alone is not an identity — pids are
// reused — so each started process is recorded with its kernel start time and checked before any
// signal is sent.
import {spawn} from 'node:child_process'
import {closeSync, openSync} from 'node:fs'
import {readdir, readFile} from 'node:fs/promises'

export interface ProcessIdentity {
  pid: number
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTicks: number
}

export interface SpawnDetachedOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** stdout and stderr are appended here. */
  logFile: string
}

/** Starts `command` in its own process group, detached from this process, logging to a file. */
export async function spawnDetached(
  command: string,
  args: string[],
  options: SpawnDetachedOptions,
): Promise<ProcessIdentity> {
  const log = openSync(options.logFile, 'a')
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    })
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject)
      child.once('spawn', () => resolve(child.pid!))
    })
    child.unref()
    const startTicks = await processStartTicks(pid)
    return {pid, startTicks: startTicks ?? 0}
  } finally {
    closeSync(log)
  }
}

export async function processStartTicks(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined) // no /proc entry: the process has exited
  if (!stat) return undefined
  // The command name (field 2) is in parentheses and may contain spaces; fields follow the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[19])
}

/** Whether the recorded process is still the one we started (alive, same start time, not a zombie). */
export async function isSameProcess(identity: ProcessIdentity): Promise<boolean> {
  const stat = await readFile(`/proc/${identity.pid}/stat`, 'utf8').catch(() => undefined) // no /proc entry: the process has exited
  if (!stat) return false
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  if (fields[0] === 'Z' || fields[0] === 'X') return false
  return identity.startTicks === 0 || Number(fields[19]) === identity.startTicks
}

/**
 * Stops a process we started with everything it started: SIGTERM to its process group and its
 * descendants (a server may leave the group, as RabbitMQ's `su` wrapper does), then SIGKILL after
 * `graceMs`. Does nothing if the pid now belongs to someone else.
 */
export async function stopProcess(
  identity: ProcessIdentity,
  graceMs = 10_000,
): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!(await isSameProcess(identity))) return 'not-running'
  const tree = [identity.pid, ...(await descendants(identity.pid))]
  const treeAlive = async () =>
    (await Promise.all(tree.map((pid) => processStartTicks(pid)))).some((ticks) => ticks !== undefined)
  signalTree(identity.pid, tree, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    if (!(await isSameProcess(identity)) && !(await treeAlive())) return 'stopped'
    await sleep(50)
  }
  signalTree(identity.pid, tree, 'SIGKILL')
  for (let i = 0; i < 100 && (await treeAlive()); i++) await sleep(20)
  return 'killed'
}

/** Every process whose parent chain leads to `root`, read from /proc. */
export async function descendants(root: number): Promise<number[]> {
  const entries = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name))
  const parentOf = new Map<number, number>()
  await Promise.all(
    entries.map(async (name) => {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => undefined) // the process exited while we listed /proc
      if (stat) parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    }),
  )
  const found: number[] = []
  const frontier = [root]
  while (frontier.length > 0) {
    const parent = frontier.pop()!
    for (const [pid, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(pid)
        frontier.push(pid)
      }
    }
  }
  return found
}

function signalTree(leader: number, tree: number[], signal: NodeJS.Signals): void {
  for (const target of [-leader, ...tree]) {
    try {
      process.kill(target, signal)
    } catch {
      // already gone, or not a group
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Whether a process with this pid exists (one we may not signal, EPERM, exists too). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
