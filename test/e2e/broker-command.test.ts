// `streamctl broker` as a user runs it: JSON log lines on stderr, a clean exit on SIGTERM with the
// --json result, and a usage error (exit 2) for a data directory it cannot use.
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {advertisedVersions} from '../../src/broker/protocol/api-keys.js'
import {probeKafka} from '../../src/lib/host/probes.js'
import {runCli} from '../helpers/cli.js'
import {startBrokerProcess} from '../helpers/broker.js'

let scratch: string
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'streamctl-broker-cmd-'))
})
afterAll(async () => {
  await rm(scratch, {recursive: true, force: true})
})

describe('streamctl broker', () => {
  it('logs JSON lines, answers the health probe, and stops cleanly on SIGTERM', async () => {
    const broker = await startBrokerProcess({args: ['--fsync', 'always', '--no-auto-create-topics']})
    try {
      const listening = broker.logs.find((entry) => entry.msg === 'broker listening')!
      expect(listening).toMatchObject({
        level: 'info',
        component: 'broker',
        host: '127.0.0.1',
        port: broker.port,
        fsync: 'always',
        dataDir: broker.dataDir,
      })
      expect(await probeKafka('127.0.0.1', broker.port)).toMatchObject({
        answers: true,
        note: `${advertisedVersions().length} APIs`,
      })
      expect(await broker.stop()).toBe(0)
      expect(broker.logs.at(-1)).toMatchObject({msg: 'broker stopped'})
    } finally {
      await broker.cleanup()
    }
  })

  it('refuses a --data-dir that is a file, with a usage error naming the flag', async () => {
    const file = path.join(scratch, 'not-a-dir')
    await writeFile(file, 'x')
    const result = await runCli(['broker', '--port', '0', '--data-dir', file, '--json'])
    expect(result.exitCode).toBe(2)
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: {code: 'INVALID_FLAG', message: expect.stringContaining('--data-dir')},
    })
  })

  it('refuses to start on a data directory with a corrupt topic descriptor, naming the file', async () => {
    const dir = path.join(scratch, 'corrupt')
    await mkdir(path.join(dir, 'topics', 'orders'), {recursive: true})
    await writeFile(path.join(dir, 'topics', 'orders', 'topic.json'), '{not json')
    const result = await runCli(['broker', '--port', '0', '--data-dir', dir, '--json'])
    expect(result.exitCode).toBe(1)
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: {code: 'BROKER_DATA_INVALID', message: expect.stringContaining(path.join('orders', 'topic.json'))},
    })
  })
})
