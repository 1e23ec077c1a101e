// A capacity search as a person reads it: the answer first, then every step (climbing, then
// bisecting) with the rate asked for, the rate achieved, the p99 of the latency curve and what did
// not pass, and the knee of that curve.
import {formatTable} from '../text/table.js'
import {DEFAULT_CAPACITY_PLAN, type CapacityResult} from './capacity.js'

const STOPPED: Record<CapacityResult['stoppedBy'], string> = {
  precision: `bisected to within ${DEFAULT_CAPACITY_PLAN.precision * 100}%`,
  'max-rate': 'reached --max-rate without a failure: the capacity is at least this',
  'max-steps': 'stopped at the step limit',
  'first-step': 'the first step did not pass',
  interrupted: 'interrupted',
}

export function renderCapacity(result: CapacityResult, width?: number): string {
  const headline =
    result.capacity === undefined
      ? `CAPACITY NOT FOUND: ${
          result.firstFailure === undefined
            ? `the search of ${result.profile} was ${result.stoppedBy} before a step passed`
            : `${result.profile} did not pass at its lowest rate, ${result.firstFailure} req/s`
        }`
      : `CAPACITY: ${result.capacity} req/s — the highest base rate of ${result.profile} at which every SLA target passed${
          result.firstFailure === undefined ? '' : ` (not at ${result.firstFailure} req/s)`
        }`
  const rows: Array<Array<string | number>> = [
    ['step', 'rate/s', 'achieved/s', `p99${result.series ? ` ${result.series}` : ''}`, 'verdict'],
    ...result.steps.map((step, index) => [
      `${index + 1} ${step.stage}`,
      step.rate,
      step.achievedRate,
      step.p99Ms === undefined ? '—' : `${step.p99Ms}ms`,
      step.passed ? 'pass' : step.notPassed.join('; ') || 'no targets judged',
    ]),
  ]
  const knee = result.knee
    ? `Knee of the latency curve: ${result.knee.rate} req/s (p99 ${result.knee.p99Ms}ms); latency climbs faster above it.`
    : 'Knee of the latency curve: not found (fewer than three steps, or a flat curve).'
  return [
    headline,
    `Search: ${STOPPED[result.stoppedBy]}, ${result.steps.length} steps.`,
    '',
    formatTable(rows, '  ', {...(width ? {width} : {}), dropOrder: [2]}),
    '',
    knee,
  ].join('\n')
}
