// The versioned run record: the load engine's run data (histograms per series, phase and interval,
// retries, late/dropped, timeline, server gauges) plus what is known only after the run — the stack
// it ran on, the quota accounting after drain and the SLA verdict. Every report renders from it.
import {readFile} from 'node:fs/promises'
import os from 'node:os'
import {StreamctlError} from '../errors.js'
import {LOAD_DATA_VERSION, type LoadRunData} from '../measure/run-data.js'
import type {QuotaAccounting} from '../quota/accounting.js'
import {evaluateTargets, targetsOf, type SlaVerdict} from '../sla/evaluate.js'

export const RUN_RECORD_SCHEMA_VERSION = 1

export interface RunMetadata {
  streamctl: string
  node: string
  host: string
  /** The stack and driver the run went against (absent for a bare --target). */
  stack?: string
  driver?: string
  /** Set by `report merge`: the records this one combines. */
  mergedFrom?: string[]
}

export interface RunRecord extends LoadRunData {
  schemaVersion: typeof RUN_RECORD_SCHEMA_VERSION
  meta: RunMetadata
  /** What the unrecorded warm-up before the run sent (absent: no warm-up). */
  warmup?: {requests: number; durationMs: number; rate?: number}
  quota?: QuotaAccounting
  sla: SlaVerdict
}

export function runMetadata(version: string, stack?: {name: string; driver?: string}): RunMetadata {
  return {
    streamctl: version,
    node: process.version,
    host: os.hostname(),
    ...(stack ? {stack: stack.name, ...(stack.driver ? {driver: stack.driver} : {})} : {}),
  }
}

/** Reads a run record (or a bare run-data file from an older bench, wrapped with an empty verdict). */
export async function readRunRecord(file: string): Promise<RunRecord> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new StreamctlError(
      'FILE_NOT_FOUND',
      `cannot read run record ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
    )
  })
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new StreamctlError('RUN_RECORD_INVALID', `${file} is not JSON: ${(error as Error).message}`, {
      hint: 'Pass a run record written by `streamctl bench`.',
    })
  }
  return runRecordFrom(value, file)
}

/** A parsed run record checked and brought to this version; `file` names where it came from in errors. */
export function runRecordFrom(parsed: unknown, file: string): RunRecord {
  const value = (parsed ?? {}) as Partial<RunRecord>
  if (value.loadDataVersion !== LOAD_DATA_VERSION || !Array.isArray(value.variants)) {
    throw new StreamctlError(
      'RUN_RECORD_INVALID',
      `${file} is not a streamctl run record (no loadDataVersion ${LOAD_DATA_VERSION} and variants)`,
      {hint: 'Pass a run record written by `streamctl bench`.'},
    )
  }
  if (value.schemaVersion !== undefined && value.schemaVersion > RUN_RECORD_SCHEMA_VERSION) {
    throw new StreamctlError(
      'RUN_RECORD_INVALID',
      `${file} has schemaVersion ${value.schemaVersion}; this streamctl reads up to ${RUN_RECORD_SCHEMA_VERSION}`,
      {hint: 'Upgrade streamctl.'},
    )
  }
  const record = {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    meta: value.meta ?? runMetadata('unknown'),
    sla: value.sla ?? {passed: true, targets: [], results: []},
    ...value,
  } as RunRecord
  return {...record, sla: judgedByTheseRules(record)}
}

/**
 * A verdict written before results said whether they were met (before no data and inconclusive
 * failed) is judged again from its targets and histograms, so `report` and `report merge` agree
 * and an old pass without evidence does not stand.
 */
function judgedByTheseRules(record: RunRecord): SlaVerdict {
  const {sla} = record
  if (sla.results.every((result) => result.met !== undefined)) return sla
  const judged = evaluateTargets(targetsOf(sla), record.variants, record.quota, sla.source, sla.notApplicable)
  return sla.abortedBy ? {...judged, abortedBy: sla.abortedBy, passed: false} : judged
}
