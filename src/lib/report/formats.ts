// Every report format, by name, rendered from one run record.
import {renderBenchmarkJson} from './render-benchmark.js'
import {renderHlog} from './render-hlog.js'
import {renderHtml} from './render-html.js'
import {renderJunit} from './render-junit.js'
import {renderMarkdown} from './render-markdown.js'
import type {SummaryLayout} from '../measure/summary-text.js'
import {renderTerminal} from './render-terminal.js'
import type {RunRecord} from './run-record.js'

export const REPORT_FORMATS = ['terminal', 'json', 'junit', 'markdown', 'html', 'hlog', 'benchmark'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

export const FORMAT_EXTENSIONS: Record<ReportFormat, string> = {
  terminal: 'txt',
  json: 'json',
  junit: 'junit.xml',
  markdown: 'md',
  html: 'html',
  hlog: 'hlog',
  benchmark: 'benchmark.json',
}

/** `layout` fits the terminal format to a terminal's width; files and pipes get it in full. */
export function renderReport(record: RunRecord, format: ReportFormat, layout: SummaryLayout = {}): string {
  switch (format) {
    case 'terminal':
      return `${renderTerminal(record, layout)}\n`
    case 'json':
      return `${JSON.stringify(record, null, 2)}\n`
    case 'junit':
      return renderJunit(record)
    case 'markdown':
      return renderMarkdown(record)
    case 'html':
      return renderHtml(record)
    case 'hlog':
      return renderHlog(record)
    case 'benchmark':
      return `${JSON.stringify(renderBenchmarkJson(record), null, 2)}\n`
  }
}
