// The statistics behind `report --compare`, on whole HdrHistograms (never on a handful of
// percentiles): a Mann-Whitney U test for a shift of the distribution, a one-sided binomial test for
// a fatter tail, and a two-proportion test for error rates. All use the normal approximation, which
// is sound at the sample sizes a bench produces (tests are skipped below MIN_SAMPLES).
import {recordedValues, type Histogram} from '../measure/histogram.js'

export const MIN_SAMPLES = 30

/** Two-sided p-value that `a` and `b` come from the same distribution (ties by midrank). */
export function mannWhitneyP(a: Histogram, b: Histogram): number {
  const n1 = a.totalCount
  const n2 = b.totalCount
  if (n1 < MIN_SAMPLES || n2 < MIN_SAMPLES) return 1
  const merged = new Map<number, [number, number]>()
  for (const [value, count] of recordedValues(a)) merged.set(value, [count, 0])
  for (const [value, count] of recordedValues(b)) merged.set(value, [merged.get(value)?.[0] ?? 0, count])
  let rank = 0
  let rankSumA = 0
  let tieTerm = 0
  for (const [, [countA, countB]] of [...merged].sort((x, y) => x[0] - y[0])) {
    const tied = countA + countB
    const midrank = rank + (tied + 1) / 2
    rankSumA += countA * midrank
    tieTerm += tied ** 3 - tied
    rank += tied
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2
  const n = n1 + n2
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)))
  if (variance <= 0) return 1
  return 2 * (1 - normalCdf(Math.abs(u - (n1 * n2) / 2) / Math.sqrt(variance)))
}

/** One-sided p-value that more of `sample` than `expected` lies above `thresholdUs`. */
export function tailExcessP(sample: Histogram, thresholdUs: number, expected: number): number {
  const n = sample.totalCount
  if (n < MIN_SAMPLES || expected <= 0 || expected >= 1) return 1
  let above = 0
  for (const [value, count] of recordedValues(sample)) if (value > thresholdUs) above += count
  const z = (above / n - expected) / Math.sqrt((expected * (1 - expected)) / n)
  return 1 - normalCdf(z)
}

/** One-sided p-value that the rate `failedB/nB` is higher than `failedA/nA`. */
export function proportionIncreaseP(failedA: number, nA: number, failedB: number, nB: number): number {
  if (nA < MIN_SAMPLES || nB < MIN_SAMPLES) return 1
  const pooled = (failedA + failedB) / (nA + nB)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB))
  if (se === 0) return 1
  return 1 - normalCdf((failedB / nB - failedA / nA) / se)
}

/** Φ(z), Abramowitz-Stegun 7.1.26 (error below 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2))
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(z * z) / 2)
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2
}
