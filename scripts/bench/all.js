// npm run bench — every bench:* script in turn, with durations cut so the whole run finishes in
// well under 15 minutes on a 2-core machine, then one results file and one Markdown table
// (bench-results/summary.json, bench-results/summary.md) built from their bench-results/*.json.
// A longer run: BENCH_SECONDS=10 BENCH_DURATION=10 npm run bench (each script reads its own env).
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {writeSummary} from './summary.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const reduced = {
  BENCH_SECONDS: '4',
  BENCH_DURATION: '5',
  BENCH_RUNS: '10',
  BENCH_RATES: '1000,3000',
  BENCH_STALL_SECONDS: '10',
  BENCH_CAPACITY_STEP_SECONDS: '2',
}
const scripts = ['cli', 'broker', 'load', 'capacity', 'gateway', 'recommendations', 'replay'].filter((name) =>
  existsSync(path.join(here, `${name}.js`)),
)

const timings = {}
const failed = []
for (const name of scripts) {
  console.log(`\n=== bench:${name} ===\n`)
  const started = Date.now()
  const result = spawnSync(process.execPath, [path.join(here, `${name}.js`)], {
    stdio: 'inherit',
    env: {...reduced, ...process.env},
  })
  timings[name] = Math.round((Date.now() - started) / 1000)
  if (result.status !== 0) failed.push(name)
}
const {markdown, file} = writeSummary({timings, failed})
console.log(
  `\n${markdown}\nwrote ${path.relative(process.cwd(), file)} and summary.md; seconds per script: ${JSON.stringify(timings)}`,
)
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`)
  process.exitCode = 1
}
