// The embedded broker as a real child process (`streamctl broker`) on a free port with its own
// data directory, for tests that need Kafka.
import {execa, type ResultPromise} from 'execa'
import {mkdtemp, rm} from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {freePort} from '../../src/lib/host/ports.js'
import {BIN} from './cli.js'

export interface TestBroker {
  brokers: string[]
  port: number
  stop(): Promise<void>
}

export async function startTestBroker(options: {partitions?: number} = {}): Promise<TestBroker> {
  const port = await freePort()
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-broker-'))
  const child: ResultPromise = execa(process.execPath, [BIN, 'broker', '--port', String(port), '--data-dir', dataDir, '--partitions', String(options.partitions ?? 1)], {reject: false, stdin: 'ignore', env: {CI: '1'}})
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)))
  const deadline = Date.now() + 20_000
  while (!(await connects(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`streamctl broker did not listen on ${port}: ${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    brokers: [`127.0.0.1:${port}`],
    port,
    stop: async () => {
      child.kill('SIGTERM')
      await Promise.race([child, new Promise((resolve) => setTimeout(resolve, 5000))])
      if (child.exitCode === null) child.kill('SIGKILL')
      await rm(dataDir, {recursive: true, force: true})
    },
  }
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({host: '127.0.0.1', port}, () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
