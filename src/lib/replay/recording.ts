// Recorded event logs (fixtures/*.ndjson): one event per line, a JSON object whose `ts` (RFC 3339)
// is the time it originally happened; its `user_id`, when present, is the Kafka key it is produced
// with. Reading checks every line before anything is replayed: a bad one is `file:line: problem`
// (exit 2) and nothing is sent.
import {readFile} from 'node:fs/promises'
import {StreamctlError} from '../errors.js'
import type {ReplayRecord} from './replay-record.js'

/** Extra checks on each parsed event (e.g. the user-event schema): its problems, empty when fine. */
export type EventCheck = (event: Record<string, unknown>) => string[]

export async function readRecording(file: string, check?: EventCheck): Promise<ReplayRecord[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new StreamctlError(
      'FILE_NOT_FOUND',
      `cannot read recording ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        hint: 'Pass an .ndjson recording, e.g. fixtures/day-small.ndjson, or make one with `streamctl fixtures generate`.',
        cause: error,
      },
    )
  }
  return parseRecording(text, file, check)
}

export function parseRecording(text: string, file: string, check?: EventCheck): ReplayRecord[] {
  const records: ReplayRecord[] = []
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim()
    if (line === '') continue
    const at = `${file}:${index + 1}`
    let event: unknown
    try {
      event = JSON.parse(line)
    } catch (error) {
      throw invalidLine(at, `not valid JSON (${(error as Error).message})`)
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event))
      throw invalidLine(at, 'expected one JSON object per line')
    const fields = event as Record<string, unknown>
    const timestamp = typeof fields.ts === 'string' ? Date.parse(fields.ts) : Number.NaN
    if (Number.isNaN(timestamp))
      throw invalidLine(at, '"ts" must be the event\'s original time, RFC 3339 (e.g. 2026-11-24T20:15:00.000Z)')
    const problems = check?.(fields) ?? []
    if (problems.length > 0) throw invalidLine(at, problems.join('; '))
    records.push({
      partition: 0,
      offset: records.length,
      timestamp,
      key: typeof fields.user_id === 'string' ? fields.user_id : null,
      value: line,
    })
  }
  return records
}

export function toNdjson(events: readonly object[]): string {
  return events.map((event) => `${JSON.stringify(event)}\n`).join('')
}

function invalidLine(at: string, message: string): StreamctlError {
  return new StreamctlError('RECORDING_INVALID', `${at}: ${message}`, {
    hint: 'Each line must be one JSON event with its original time in "ts".',
    details: {at},
  })
}
