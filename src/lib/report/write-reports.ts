// Writes a run record and the reports asked for. The run record (JSON) and the HTML report go into
// the output directory by default, named after the profile and start time; other formats go where
// their flags say. A Markdown report aimed at $GITHUB_STEP_SUMMARY is appended, as GitHub expects.
import {appendFile, mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {displayPath} from '../stack/load-stack.js'
import {renderReport, type ReportFormat} from './formats.js'
import type {RunRecord} from './run-record.js'

export interface WrittenReport {
  format: ReportFormat
  file: string
}

/** `<profile>-<UTC time>[-shard-i-of-N]`: the base name of a run's files. */
export function runBaseName(record: RunRecord): string {
  const stamp = record.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  const suffix = record.shard && record.shard.count > 1 ? `-shard-${record.shard.index + 1}-of-${record.shard.count}` : ''
  return `${record.profile}-${stamp}${suffix}`
}

export async function writeReports(record: RunRecord, requests: ReadonlyArray<{format: ReportFormat; file: string}>): Promise<WrittenReport[]> {
  const written: WrittenReport[] = []
  for (const {format, file} of requests) {
    const absolute = path.resolve(file)
    await mkdir(path.dirname(absolute), {recursive: true})
    const text = renderReport(record, format)
    if (format === 'markdown' && process.env.GITHUB_STEP_SUMMARY && absolute === path.resolve(process.env.GITHUB_STEP_SUMMARY)) await appendFile(absolute, text)
    else await writeFile(absolute, text)
    written.push({format, file: displayPath(absolute)})
  }
  return written
}

/** The default files of a bench: the run record and the HTML report in `outDir`. */
export function defaultReportFiles(record: RunRecord, outDir: string, html = true): Array<{format: ReportFormat; file: string}> {
  const base = path.join(outDir, runBaseName(record))
  return [{format: 'json', file: `${base}.json`}, ...(html ? [{format: 'html' as const, file: `${base}.html`}] : [])]
}
