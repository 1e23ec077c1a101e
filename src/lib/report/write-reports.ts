// Writes a run record and the reports asked for. The run record (JSON) and the HTML report go into
// the output directory by default, named after the profile and start time; other formats go where
// their flags say. A Markdown report aimed at $GITHUB_STEP_SUMMARY is appended, as GitHub expects.
import {appendFile, mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {displayPath} from '../text/display-path.js'
import {isCI} from '../ui/output-mode.js'
import {renderReport, type ReportFormat} from './formats.js'
import type {RunRecord} from './run-record.js'

export interface WrittenReport {
  format: ReportFormat
  file: string
}

/** `<profile>-<UTC time>[-shard-i-of-N]`: the base name of a run's files. */
export function runBaseName(record: RunRecord): string {
  const stamp = record.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  const suffix =
    record.shard && record.shard.count > 1 ? `-shard-${record.shard.index + 1}-of-${record.shard.count}` : ''
  return `${record.profile}-${stamp}${suffix}`
}

export interface ReportFile {
  format: ReportFormat
  file: string
}

export async function writeReports(
  record: RunRecord,
  requests: readonly ReportFile[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<WrittenReport[]> {
  const written: WrittenReport[] = []
  for (const {format, file} of requests) {
    const absolute = path.resolve(file)
    await mkdir(path.dirname(absolute), {recursive: true})
    const text = renderReport(record, format)
    if (format === 'markdown' && isStepSummary(absolute, env)) await appendFile(absolute, text)
    else await writeFile(absolute, text)
    written.push({format, file: displayPath(absolute)})
  }
  return written
}

/**
 * On GitHub Actions (CI set and $GITHUB_STEP_SUMMARY naming the job summary file), the Markdown
 * summary goes to the job's summary page without being asked for: `requests` plus that file, unless
 * a request (`--markdown "$GITHUB_STEP_SUMMARY"`) already writes it there.
 */
export function withStepSummary(requests: readonly ReportFile[], env: NodeJS.ProcessEnv = process.env): ReportFile[] {
  const summary = env.GITHUB_STEP_SUMMARY
  if (
    !summary ||
    !isCI(env) ||
    requests.some(({format, file}) => format === 'markdown' && isStepSummary(path.resolve(file), env))
  )
    return [...requests]
  return [...requests, {format: 'markdown', file: summary}]
}

const isStepSummary = (absolute: string, env: NodeJS.ProcessEnv) =>
  !!env.GITHUB_STEP_SUMMARY && absolute === path.resolve(env.GITHUB_STEP_SUMMARY)

/** The default files of a bench: the run record and the HTML report in `outDir`. */
export function defaultReportFiles(record: RunRecord, outDir: string, html = true): ReportFile[] {
  const base = path.join(outDir, runBaseName(record))
  return [{format: 'json', file: `${base}.json`}, ...(html ? [{format: 'html' as const, file: `${base}.html`}] : [])]
}
