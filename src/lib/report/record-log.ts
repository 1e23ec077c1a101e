// A run record carried in a process's log (a Kubernetes pod's stdout, read back by `kubectl logs`):
// between two delimiter lines, the record as gzipped JSON in base64, cut into short lines so no
// log pipeline splits or truncates one. No shared volume is needed to collect a shard's record.
import {gunzipSync, gzipSync} from 'node:zlib'
import {StreamctlError} from '../errors.js'
import {runRecordFrom, type RunRecord} from './run-record.js'

const BEGIN = /^--- streamctl run record begin (.*) ---$/
const END = '--- streamctl run record end ---'
const LINE_CHARS = 4000

/** The delimited block `bench --record-to-stdout` prints after the run. */
export function recordLogBlock(record: RunRecord): string {
  const shard = record.shard ? `shard ${record.shard.index + 1}/${record.shard.count}` : 'unsharded'
  const encoded = gzipSync(JSON.stringify(record)).toString('base64')
  const lines: string[] = []
  for (let start = 0; start < encoded.length; start += LINE_CHARS) lines.push(encoded.slice(start, start + LINE_CHARS))
  return [`--- streamctl run record begin ${record.profile} ${shard} ---`, ...lines, END].join('\n')
}

/** The one run record in a log; `source` names the log (a pod) in errors. */
export function parseRecordLog(log: string, source: string): RunRecord {
  const lines = log.split(/\r?\n/).map((line) => line.trim())
  const begins = lines.flatMap((line, index) => (BEGIN.test(line) ? [index] : []))
  if (begins.length === 0)
    throw new StreamctlError('RUN_RECORD_INVALID', `${source}: its log has no run record (no begin line)`, {
      hint: 'The shard runs `streamctl bench … --record-to-stdout`; see its log for why it did not finish.',
    })
  if (begins.length > 1)
    throw new StreamctlError('RUN_RECORD_INVALID', `${source}: its log has ${begins.length} run records, expected one`)
  const end = lines.indexOf(END, begins[0])
  if (end < 0)
    throw new StreamctlError('RUN_RECORD_INVALID', `${source}: its run record is cut off (no end line)`, {
      hint: 'The log was truncated or the shard was killed while printing it.',
    })
  let parsed: unknown
  try {
    parsed = JSON.parse(gunzipSync(Buffer.from(lines.slice(begins[0]! + 1, end).join(''), 'base64')).toString('utf8'))
  } catch (error) {
    throw new StreamctlError('RUN_RECORD_INVALID', `${source}: its run record does not decode`, {cause: error})
  }
  return runRecordFrom(parsed, source)
}
