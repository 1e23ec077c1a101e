// SLA targets: metric name → thresholds, as in k6's `thresholds` option. The same shape is used in
// the stack manifest's `sla:` section and in a standalone `--sla FILE`.
import {parseDuration} from '../text/duration.js'
import {checkAgainstSchema, type JsonSchema} from '../yaml/schema-check.js'
import type {PathSegment, YamlSource} from '../yaml/source.js'
import {parseThreshold, ThresholdSyntaxError, type Threshold} from './threshold.js'

export interface SlaTarget {
  metric: string
  threshold: Threshold
  /** Stop the run as soon as this target fails (k6's abortOnFail). */
  abortOnFail: boolean
  /** Do not evaluate abortOnFail before this much of the run has passed, in ms. */
  delayAbortEvalMs: number
  /** A target whose metric got no samples passes instead of failing (it fails by default). */
  allowNoData: boolean
  /** A percentile whose confidence interval straddles the threshold passes instead of failing. */
  allowInconclusive: boolean
  /** Where it was written (absent for a target streamctl adds itself, such as the open model's `dropped`). */
  at?: {file: string; line: number; col: number}
}

const thresholdEntry: JsonSchema = {
  anyOf: [
    {type: 'string'},
    {
      type: 'object',
      additionalProperties: false,
      required: ['threshold'],
      properties: {
        threshold: {type: 'string'},
        abortOnFail: {type: 'boolean'},
        delayAbortEval: {type: 'string', pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h))+$'},
        allowNoData: {type: 'boolean'},
        allowInconclusive: {type: 'boolean'},
      },
    },
  ],
}

export const slaTargetsSchema: JsonSchema = {
  type: 'object',
  propertyNames: {pattern: '^[a-z][a-z0-9_.-]*$'},
  additionalProperties: {anyOf: [thresholdEntry, {type: 'array', minItems: 1, items: thresholdEntry}]},
}

/**
 * Validates an `sla` mapping at `path` of `source` and returns its targets; problems (structure and
 * threshold syntax) are added to `source.problems` with their positions.
 */
export function readSlaTargets(source: YamlSource, value: unknown, path: readonly PathSegment[]): SlaTarget[] {
  const structureOk = checkAgainstSchema(source, value, slaTargetsSchema, path)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return []
  // Thresholds are parsed even when the structure has problems, so every problem shows in one pass.
  const targets: SlaTarget[] = []
  for (const [metric, raw] of Object.entries(value as Record<string, unknown>)) {
    const entries = Array.isArray(raw) ? raw : [raw]
    entries.forEach((entry: unknown, index) => {
      const at = Array.isArray(raw) ? [...path, metric, index] : [...path, metric]
      const spec =
        typeof entry === 'string'
          ? {threshold: entry}
          : (entry as {
              threshold: string
              abortOnFail?: boolean
              delayAbortEval?: string
              allowNoData?: boolean
              allowInconclusive?: boolean
            } | null)
      if (typeof spec?.threshold !== 'string') return
      try {
        const {line, col} = source.position([...path, metric], {key: true})
        targets.push({
          metric,
          threshold: parseThreshold(spec.threshold),
          abortOnFail: spec.abortOnFail ?? false,
          delayAbortEvalMs: spec.delayAbortEval ? (parseDuration(spec.delayAbortEval) ?? 0) : 0,
          allowNoData: spec.allowNoData === true,
          allowInconclusive: spec.allowInconclusive === true,
          at: {file: source.file, line, col},
        })
      } catch (error) {
        if (!(error instanceof ThresholdSyntaxError)) throw error
        source.report(typeof entry === 'string' ? at : [...at, 'threshold'], `sla.${metric}: ${error.message}`)
      }
    })
  }
  return structureOk ? targets : []
}

/** A default target left out of a run, and why. */
export interface NotApplicableTarget {
  metric: string
  threshold: string
  reason: string
}
