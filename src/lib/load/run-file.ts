// Writes a run's data as JSON under the --out directory: <profile>-<UTC time>[-shard-i-of-N].json.
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import type {LoadRunData} from '../measure/run-data.js'
import {displayPath} from '../stack/load-stack.js'
import type {Shard} from './arrival-schedule.js'

export async function writeRunData(outDir: string, run: LoadRunData, shard?: Shard): Promise<string> {
  await mkdir(outDir, {recursive: true})
  const stamp = run.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  const suffix = shard && shard.count > 1 ? `-shard-${shard.index + 1}-of-${shard.count}` : ''
  const file = path.resolve(outDir, `${run.profile}-${stamp}${suffix}.json`)
  await writeFile(file, `${JSON.stringify(run, null, 2)}\n`)
  return displayPath(file)
}
