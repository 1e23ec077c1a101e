// Drives the built LiveReporter and BenchProgressView into a terminal-sized in-memory stream that
// starts 160 columns wide and is resized to 60, and prints what ink drew in each width (ANSI
// stripped) as JSON: {wide, narrow}. A child process, so that CI can be removed from its environment.
import {BenchProgressView} from '../../dist/lib/bench/progress-view.js'
import {LiveReporter} from '../../dist/lib/ui/live-reporter.js'
import {terminalStream} from './terminal-stream.mjs'

const terminal = terminalStream(160, 30)
const {stdout, text} = terminal
const drawn = async (from, marker) => {
  const deadline = Date.now() + 5000
  while (!text(from).includes(marker) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  return text(from)
}

const series = [
  {name: 'recommendations', requests: 300, succeeded: 300, p99: 48.2},
  {name: 'events', requests: 150, succeeded: 150, p99: 21.9},
  {name: 'generate.accept', requests: 50, succeeded: 50, p99: 14.2},
  {name: 'status', requests: 140, succeeded: 140, p99: 9.3},
  {name: 'e2e', requests: 48, succeeded: 47, p99: 2310},
]
const progress = (second, phase) => ({
  variant: 'default',
  variantIndex: 0,
  variants: 1,
  phase,
  elapsedMs: second * 1000,
  durationMs: 20_000,
  offeredRate: 145,
  sentRate: 177,
  polls: true,
  inFlight: 12,
  series,
  errors: {timeout: 3},
  retries: 4,
  late: 0,
  dropped: 0,
})

const reporter = new LiveReporter(stdout)
reporter.info('bench peak → http://127.0.0.1:3000 (--target)')
const view = new BenchProgressView(reporter, 'peak')
view.update(progress(2, 'evening.baseline'))
view.update(progress(3, 'evening.baseline'))
const wide = await drawn(0, '3/20 s')
const resizedAt = terminal.length
stdout.columns = 60
stdout.emit('resize')
view.update(progress(4, 'evening.ramp-up'))
const narrow = await drawn(resizedAt, '4/20 s')
view.finish()
await reporter.close()
process.stdout.write(JSON.stringify({wide, narrow}))
