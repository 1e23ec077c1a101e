// npm run bench:cli — start-up time of the built CLI, next to bare Node start-up measured in the
// same run (the floor no Node CLI can beat). Target (PRODUCT.md §6): `--help` median < 300 ms.
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {printTable, summarise, timeCommand, writeResult} from './harness.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const runs = Number(process.env.BENCH_RUNS ?? 20)
const bin = path.join(root, 'bin', 'run.js')
const TARGET_HELP_MS = 300

const cases = [
  {name: 'node -e "" (baseline)', args: ['-e', '']},
  {name: 'streamctl --version', args: [bin, '--version']},
  {name: 'streamctl --help', args: [bin, '--help']},
  {name: 'streamctl doctor --help', args: [bin, 'doctor', '--help']},
]

const results = cases.map((entry) => ({
  name: entry.name,
  ...summarise(timeCommand(process.execPath, entry.args, {runs, cwd: root})),
}))
const baseline = results[0].median
const ms = (value) => value.toFixed(1)
console.log(`CLI start-up, ${runs} runs each (wall time, ms)\n`)
printTable(
  ['command', 'median', 'p90', 'min', 'max', 'x baseline'],
  results.map((result) => [
    result.name,
    ms(result.median),
    ms(result.p90),
    ms(result.min),
    ms(result.max),
    (result.median / baseline).toFixed(2),
  ]),
)
const help = results.find((result) => result.name === 'streamctl --help')
const verdict = help.median < TARGET_HELP_MS ? 'meets' : 'MISSES'
console.log(
  `\n--help median ${ms(help.median)} ms ${verdict} the ${TARGET_HELP_MS} ms target (${ms(help.median - baseline)} ms above bare Node).`,
)
writeResult('cli', {runs, targetHelpMs: TARGET_HELP_MS, results})
