// Drives the built LiveReporter into a terminal-sized in-memory stream and prints what ink drew
// (ANSI stripped) as JSON: {midRun, final}. Run in a child process so that the CI variable of the
// test run (which makes ink draw only the last frame) can be removed.
import {LiveReporter} from '../../dist/lib/ui/live-reporter.js'
import {terminalStream} from './terminal-stream.mjs'

const {stdout, text} = terminalStream(100, 30)

const reporter = new LiveReporter(stdout)
reporter.info('replaying user-events')
const replay = reporter.task('replay', {total: 100, unit: 'events'})
replay.update({done: 50, metrics: {'events/s': 21000}})
const deadline = Date.now() + 3000
while (!text().includes('50/100') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
const midRun = text()
replay.succeed('100 events')
reporter.task('gateway').fail('exited with code 1')
reporter.warn('1 component failed')
await reporter.close()
process.stdout.write(JSON.stringify({midRun, final: text()}))
