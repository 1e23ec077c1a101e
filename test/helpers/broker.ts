// The embedded broker as a real child process (`node bin/run.js broker`), on a port the OS picks,
// with its own data directory: start it, restart it on the same port and data, stop it with
// SIGTERM or kill -9.
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {BIN} from './cli.js'

export interface BrokerProcess {
  port: number
  brokers: string[]
  bootstrap: string
  dataDir: string
  /** Every JSON log line the broker wrote on stderr so far (across restarts). */
  logs: Array<Record<string, unknown>>
  /** SIGTERM and wait for exit (a clean shutdown); kill -9 with `{hard: true}`. */
  stop(options?: {hard?: boolean}): Promise<number | null>
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>
  /** Stops it and removes the data directory. */
  cleanup(): Promise<void>
  isRunning(): boolean
}

export interface BrokerProcessOptions {
  args?: string[]
  dataDir?: string
}

export async function startBrokerProcess(options: BrokerProcessOptions = {}): Promise<BrokerProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'streamctl-broker-test-')))
  const logs: Array<Record<string, unknown>> = []
  let child: ChildProcess | undefined
  let exited: Promise<number | null> = Promise.resolve(null)

  const launch = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const processHandle = spawn(
        process.execPath,
        [BIN, 'broker', '--port', String(port), '--data-dir', dataDir, ...(options.args ?? [])],
        {stdio: ['ignore', 'ignore', 'pipe'], env: {...process.env, CI: '1'}},
      )
      child = processHandle
      let pending = ''
      let stderr = ''
      exited = new Promise((done) => processHandle.once('exit', (code) => done(code)))
      processHandle.stderr!.setEncoding('utf8')
      processHandle.stderr!.on('data', (text: string) => {
        stderr += text
        pending += text
        const lines = pending.split('\n')
        pending = lines.pop()!
        for (const line of lines) {
          try {
            const entry = JSON.parse(line) as Record<string, unknown>
            logs.push(entry)
            if (entry.msg === 'broker listening') resolve(entry.port as number)
          } catch {
            // not a log line
          }
        }
      })
      processHandle.once('exit', (code) => reject(new Error(`broker exited with ${code} before listening:\n${stderr}`)))
    })

  const port = await launch(0)
  const handle: BrokerProcess = {
    port,
    brokers: [`127.0.0.1:${port}`],
    bootstrap: `127.0.0.1:${port}`,
    dataDir,
    logs,
    isRunning: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async stop(stopOptions = {}) {
      if (!handle.isRunning()) return child?.exitCode ?? null
      child!.kill(stopOptions.hard ? 'SIGKILL' : 'SIGTERM')
      return exited
    },
    async restart() {
      await handle.stop()
      await launch(port)
    },
    async cleanup() {
      await handle.stop()
      if (!options.dataDir) await rm(dataDir, {recursive: true, force: true})
    },
  }
  return handle
}

/** Polls `condition` every 100 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
