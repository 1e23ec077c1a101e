// A distribution-free confidence interval for a percentile, from order statistics: of n samples,
// the number B that fall below the true q-quantile is Binomial(n, q), so the interval between the
// l-th and the u-th smallest sample covers the quantile with probability P(l <= B <= u - 1),
// whatever the latency distribution is. With too few samples the upper rank falls past the last
// sample (u > n): for a p99 at 95% that is any n up to 367, and no run that short can show that its
// p99 is below anything.

/** Ranks (1-based) of the order statistics bounding the q-quantile of n samples; undefined: unbounded on that side. */
export interface RankInterval {
  lower?: number
  upper?: number
}

/**
 * The equal-tailed interval: the largest l with P(B < l) <= (1-c)/2 and the smallest u with
 * P(B <= u - 1) >= 1 - (1-c)/2, where B ~ Binomial(n, q).
 */
export function percentileRanks(n: number, q: number, confidence = 0.95): RankInterval {
  if (n <= 0) return {}
  const tail = (1 - confidence) / 2
  const cdf = binomialCdf(n, q)
  // P(B < l) = cdf(l - 1); l = 0 would mean "below the smallest sample": unbounded.
  let lower: number | undefined
  let upper: number | undefined
  const mean = n * q
  const sd = Math.sqrt(n * q * (1 - q))
  // Search around the mean: the ranks lie within a few standard deviations of it.
  const from = Math.max(0, Math.floor(mean - 8 * sd - 2))
  const to = Math.min(n, Math.ceil(mean + 8 * sd + 2))
  for (let l = to + 1; l >= Math.max(1, from); l--) {
    if (l <= n && cdf(l - 1) <= tail) {
      lower = l
      break
    }
  }
  for (let u = Math.max(1, from); u <= to + 1; u++) {
    if (u > n) break
    if (cdf(u - 1) >= 1 - tail) {
      upper = u
      break
    }
  }
  return {...(lower === undefined ? {} : {lower}), ...(upper === undefined ? {} : {upper})}
}

/** P(B <= k) for B ~ Binomial(n, q), summed in log space over the part of the support that matters. */
export function binomialCdf(n: number, q: number): (k: number) => number {
  if (q <= 0) return (k) => (k >= 0 ? 1 : 0)
  if (q >= 1) return (k) => (k >= n ? 1 : 0)
  const logQ = Math.log(q)
  const logP = Math.log1p(-q)
  const logFactN = logFactorial(n)
  const pmf = (i: number) => Math.exp(logFactN - logFactorial(i) - logFactorial(n - i) + i * logQ + (n - i) * logP)
  const mean = n * q
  const sd = Math.sqrt(n * q * (1 - q))
  // Below `start` the mass is under 1e-15 and is left out.
  const start = Math.max(0, Math.floor(mean - 12 * sd - 12))
  const cache: number[] = []
  return (k) => {
    if (k < 0) return 0
    if (k >= n) return 1
    if (k < start) return 0
    let sum = cache.length > 0 ? cache[cache.length - 1]! : 0
    for (let i = start + cache.length; i <= k; i++) {
      sum += pmf(i)
      cache.push(sum)
    }
    return Math.min(1, cache[k - start]!)
  }
}

const SMALL = 256
const LOG_FACTORIALS: number[] = [0]
for (let i = 1; i <= SMALL; i++) LOG_FACTORIALS.push(LOG_FACTORIALS[i - 1]! + Math.log(i))

/** ln(n!): exact sums up to 256, Stirling's series beyond (error below 1e-12). */
export function logFactorial(n: number): number {
  if (n <= SMALL) return LOG_FACTORIALS[n]!
  const inverse = 1 / n
  const inverse2 = inverse * inverse
  return (
    n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + inverse * (1 / 12 - inverse2 * (1 / 360 - inverse2 / 1260))
  )
}

/**
 * The smallest sample count at which the interval would exclude the threshold, if the run went on
 * with the share `shareBelow` of its samples below the threshold (undefined: no count up to
 * `limit` would; the percentile sits at the threshold).
 */
export function samplesToDecide(
  q: number,
  shareBelow: number,
  confidence: number,
  from: number,
  limit = 1e9,
): number | undefined {
  const decided = (n: number) => {
    const {lower, upper} = percentileRanks(n, q, confidence)
    const below = Math.floor(n * shareBelow)
    // Decided pass: the upper bound is a sample below the threshold; decided fail: the lower bound is not.
    return (upper !== undefined && upper <= below) || (lower !== undefined && lower > below)
  }
  let high = Math.max(1, from)
  while (!decided(high)) {
    if (high >= limit) return undefined
    high = Math.min(limit, high * 2)
  }
  let low = Math.max(1, Math.floor(high / 2))
  if (decided(low)) return low
  // decided() is not strictly monotone (floors), so bisect to a count that decides.
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2)
    if (decided(mid)) high = mid
    else low = mid
  }
  return high
}
