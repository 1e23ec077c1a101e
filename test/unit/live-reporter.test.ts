import {execa} from 'execa'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'

describe('LiveReporter', () => {
  it('draws tasks with progress bars, their outcome, and messages above them', async () => {
    const env = {...process.env}
    delete env.CI
    const result = await execa(process.execPath, [path.join(ROOT, 'test/helpers/live-reporter-demo.mjs')], {env, extendEnv: false})
    const {midRun, final} = JSON.parse(result.stdout) as {midRun: string; final: string}
    expect(midRun).toContain('██████████░░░░░░░░░░ 50/100 events (50%) · events/s=21000')
    expect(final).toContain('replaying user-events')
    expect(final).toContain('✔ replay 100 events')
    expect(final).toContain('✖ gateway exited with code 1')
    expect(final).toContain('warning: 1 component failed')
  })
})
