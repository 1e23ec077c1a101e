// SLA threshold expressions, written the way k6 users already write thresholds:
//   p(99)<200ms   p(95)<=3s   avg<50ms   max<1s   rate<0.1%   count<10   ==0
// Durations are normalised to milliseconds and percentages to fractions.
import {parseDuration} from '../text/duration.js'

export type Comparator = '<' | '<=' | '>' | '>=' | '==' | '!='

export type Aggregate =
  {kind: 'percentile'; p: number} | {kind: 'avg' | 'min' | 'max' | 'med' | 'rate' | 'count' | 'value'}

export interface Threshold {
  source: string
  aggregate: Aggregate
  op: Comparator
  /** Milliseconds for durations, a fraction for rates, a plain number otherwise. */
  value: number
  unit: 'ms' | 'ratio' | 'number'
}

export class ThresholdSyntaxError extends Error {
  override readonly name = 'ThresholdSyntaxError'
}

const EXPRESSION =
  /^\s*(?:(p\(\s*(\d+(?:\.\d+)?)\s*\))|(avg|min|max|med|rate|count|value))?\s*(<=|>=|==|!=|<|>)\s*(\d+(?:\.\d+)?)\s*([a-zµ%]*)\s*$/i

/** Parses one expression; throws ThresholdSyntaxError with a message that says what is accepted. */
export function parseThreshold(source: string): Threshold {
  const match = EXPRESSION.exec(source)
  if (!match) {
    throw new ThresholdSyntaxError(
      `cannot parse threshold "${source}": expected <aggregate><op><value>, for example "p(99)<200ms", "rate<0.1%" or "==0"`,
    )
  }
  const [, percentileText, pText, named, op, valueText, unitText] = match
  const aggregate: Aggregate = percentileText
    ? {kind: 'percentile', p: Number(pText)}
    : {kind: (named?.toLowerCase() ?? 'value') as Exclude<Aggregate['kind'], 'percentile'>}
  if (aggregate.kind === 'percentile' && (aggregate.p <= 0 || aggregate.p > 100)) {
    throw new ThresholdSyntaxError(`threshold "${source}": percentile must be in (0, 100], got ${aggregate.p}`)
  }
  const number = Number(valueText)
  const unit = (unitText ?? '').toLowerCase()
  const isLatency = aggregate.kind === 'percentile' || ['avg', 'min', 'max', 'med'].includes(aggregate.kind)
  if (unit === '%') {
    if (isLatency)
      throw new ThresholdSyntaxError(`threshold "${source}": a latency needs a duration unit (us, ms, s or m), not %`)
    return {source, aggregate, op: op as Comparator, value: number / 100, unit: 'ratio'}
  }
  if (unit !== '') {
    const ms = parseDuration(`${valueText}${unit}`)
    if (ms === undefined)
      throw new ThresholdSyntaxError(`threshold "${source}": unknown unit "${unitText}" (use us, ms, s, m, h or %)`)
    if (aggregate.kind === 'rate' || aggregate.kind === 'count') {
      throw new ThresholdSyntaxError(
        `threshold "${source}": ${aggregate.kind} takes a plain number or a percentage, not a duration`,
      )
    }
    if (aggregate.kind === 'value') {
      throw new ThresholdSyntaxError(
        `threshold "${source}": a bare comparison is a number (e.g. ==0); a duration needs an aggregate, e.g. p(99)${op}${valueText}${unitText} or avg${op}${valueText}${unitText}`,
      )
    }
    return {source, aggregate, op: op as Comparator, value: ms, unit: 'ms'}
  }
  if (aggregate.kind === 'rate') return {source, aggregate, op: op as Comparator, value: number, unit: 'ratio'}
  // A bare latency number is milliseconds, as in k6.
  return {source, aggregate, op: op as Comparator, value: number, unit: isLatency ? 'ms' : 'number'}
}

export function compare(observed: number, op: Comparator, limit: number): boolean {
  switch (op) {
    case '<':
      return observed < limit
    case '<=':
      return observed <= limit
    case '>':
      return observed > limit
    case '>=':
      return observed >= limit
    case '==':
      return observed === limit
    case '!=':
      return observed !== limit
  }
}
