import {Writable} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {LiveReporter} from '../../src/lib/ui/live-reporter.js'

/** A terminal-sized stream that keeps what ink draws. */
function terminal(): NodeJS.WriteStream & {text: () => string} {
  let output = ''
  const stream = new Writable({
    write(chunk, _encoding, done) {
      output += String(chunk)
      done()
    },
  }) as unknown as NodeJS.WriteStream & {text: () => string}
  Object.assign(stream, {columns: 100, rows: 30, isTTY: true, text: () => output.replace(/\u001B\[[0-9;?]*[a-zA-Z]/g, '')})
  return stream
}

describe('LiveReporter', () => {
  it('draws tasks with progress bars, their outcome, and messages above them', async () => {
    const stdout = terminal()
    const reporter = new LiveReporter(stdout)
    reporter.info('replaying user-events')
    const replay = reporter.task('replay', {total: 100, unit: 'events'})
    replay.update({done: 50, metrics: {'events/s': 21000}})
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(stdout.text()).toContain('██████████░░░░░░░░░░ 50/100 events (50%) · events/s=21000')
    replay.succeed('100 events')
    reporter.task('gateway').fail('exited with code 1')
    reporter.warn('1 component failed')
    await reporter.close()
    const text = stdout.text()
    expect(text).toContain('replaying user-events')
    expect(text).toContain('✔ replay 100 events')
    expect(text).toContain('✖ gateway exited with code 1')
    expect(text).toContain('warning: 1 component failed')
  })
})
