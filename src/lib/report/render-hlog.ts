// HdrHistogram interval log (format v1.3): one tagged line per series per interval, latency in
// milliseconds as max-value unit ratio 1000 (values are recorded in µs). Readable by HdrHistogram's
// HistogramLogReader in Java, Go, Python and hdr-histogram-js, and by HdrHistogram's log processor.
import * as hdr from 'hdr-histogram-js'
import {decodeHistogram} from '../measure/histogram.js'
import type {RunRecord} from './run-record.js'

export function renderHlog(record: RunRecord): string {
  let text = ''
  const writer = new hdr.HistogramLogWriter((content: string) => void (text += content))
  writer.outputComment(
    `[Logged with streamctl ${record.meta.streamctl}: profile ${record.profile}, seed ${record.seed}, latency of each original request from its intended start]`,
  )
  writer.outputLogFormatVersion()
  const baseMs = Date.parse(record.startedAt)
  writer.outputStartTime(baseMs)
  writer.outputComment(`[BaseTime: ${(baseMs / 1000).toFixed(3)} (seconds since epoch)]`)
  writer.outputLegend()
  for (const variant of record.variants) {
    const offsetSec = (Date.parse(variant.startedAt) - baseMs) / 1000
    for (const interval of variant.intervals) {
      for (const [name, series] of Object.entries(interval.series)) {
        if (series.counts.requests === 0) continue
        const histogram = decodeHistogram(series.latencyHistogram)
        histogram.tag = record.variants.length > 1 ? `${variant.name}/${name}` : name
        const start = offsetSec + interval.startMs / 1000
        writer.outputIntervalHistogram(histogram, start, start + interval.durationMs / 1000, 1000)
      }
    }
  }
  return text
}
