// Quota accounting after a run drains: per tier and per user, what was admitted and what the tokens
// did (estimated at admission, reserved while open, used when settled, refunded = estimate − used),
// from PostgreSQL (requests, usage_log) and Redis (the quota hashes and the open-reservation hash),
// with the invariants every run must keep. Client-side attempts and rejections (429s) come from
// the run's `generate.accept` series.
import type {Redis} from 'ioredis'
import type pg from 'pg'
import type {VariantData} from '../measure/run-data.js'

export interface QuotaFigures {
  /** Generate requests the gateway admitted (rows in `requests`). */
  admitted: number
  /** Admitted requests whose result was settled (rows in `usage_log`). */
  settled: number
  estimatedTokens: number
  /** Tokens still reserved in Redis for this user's open requests. */
  reservedTokens: number
  usedTokens: number
  /** Estimate − actual of settled requests: what the reservation gave back. */
  refundedTokens: number
  /** (estimated − used) / estimated over settled requests: how far the admission estimate was off. */
  estimateError: number
}

export interface QuotaUser extends QuotaFigures {
  user: string
  tier: string
  /** Redis `used` minus the usage_log sum for this user's quota day(s). */
  drift: number
}

export interface QuotaTier extends QuotaFigures {
  tier: string
  users: number
}

export interface QuotaInvariants {
  /** Admissions beyond a tier's daily or monthly request limit. */
  over_admitted: number
  /** Σ |Redis used tokens − usage_log sum| over users and quota days. */
  drift: number
  /** Reservations still open after the drain. */
  open_reservations: number
  /** Requests charged twice: settled in usage_log yet still holding an open reservation. */
  double_charged: number
}

export interface QuotaAccounting {
  since: string
  /** False when the drain timed out with requests still queued or running. */
  drained: boolean
  /** What the client saw: generate attempts sent and rejected with 429. */
  client: {attempted: number; rejected: number}
  totals: QuotaFigures
  tiers: QuotaTier[]
  /** Users with admitted requests in the run, most tokens first. */
  users: QuotaUser[]
  invariants: QuotaInvariants
}

export interface QuotaStores {
  pg: pg.ClientBase | pg.Pool
  /** A client with the stack's key prefix. */
  redis: Redis
}

interface UserRow {
  user_id: string
  tier: string
  quota_day: string
  quota_month: string
  admitted: string
  settled: string
  estimated: string
  used: string
  settled_estimate: string
}

/** Reads the accounting of every request created at or after `since`. */
export async function readQuotaAccounting(
  stores: QuotaStores,
  since: Date,
  variants: readonly VariantData[],
  drained: boolean,
): Promise<QuotaAccounting> {
  const rows = (
    await stores.pg.query<UserRow>(
      `SELECT r.user_id, r.tier, to_char(r.quota_day, 'YYYY-MM-DD') AS quota_day, r.quota_month,
              count(*) AS admitted, count(u.request_id) AS settled,
              coalesce(sum(r.estimated_tokens), 0) AS estimated,
              coalesce(sum(u.actual_tokens), 0) AS used,
              coalesce(sum(u.estimated_tokens), 0) AS settled_estimate
         FROM requests r LEFT JOIN usage_log u USING (request_id)
        WHERE r.created_at >= $1
        GROUP BY 1, 2, 3, 4`,
      [since],
    )
  ).rows
  const drifts = await driftByUserDay(stores, [...new Set(rows.map((row) => row.quota_day))])
  const users = new Map<string, QuotaUser & {settledEstimate: number}>()
  for (const row of rows) {
    const user = users.get(row.user_id) ?? {
      user: row.user_id,
      tier: row.tier,
      ...emptyFigures(),
      drift: 0,
      settledEstimate: 0,
    }
    const day = drifts.get(`${row.user_id}\u0000${row.quota_day}`)
    user.admitted += Number(row.admitted)
    user.settled += Number(row.settled)
    user.estimatedTokens += Number(row.estimated)
    user.usedTokens += Number(row.used)
    user.settledEstimate += Number(row.settled_estimate)
    user.reservedTokens += day?.reserved ?? 0
    user.drift += day?.drift ?? 0
    users.set(row.user_id, user)
  }
  const drift = [...drifts.values()].reduce((sum, day) => sum + Math.abs(day.drift), 0)
  const userList = [...users.values()]
    .map(({settledEstimate, ...user}) => finish(user, settledEstimate))
    .sort((a, b) => b.usedTokens - a.usedTokens || a.user.localeCompare(b.user))
  const tiers = new Map<string, QuotaTier & {settledEstimate: number}>()
  for (const user of [...users.values()]) {
    const tier = tiers.get(user.tier) ?? {tier: user.tier, users: 0, ...emptyFigures(), settledEstimate: 0}
    tier.users++
    addFigures(tier, user)
    tier.settledEstimate += user.settledEstimate
    tiers.set(user.tier, tier)
  }
  const totals = {...emptyFigures(), settledEstimate: 0}
  for (const user of users.values()) {
    addFigures(totals, user)
    totals.settledEstimate += user.settledEstimate
  }
  const {settledEstimate: totalSettledEstimate, ...totalFigures} = totals
  return {
    since: since.toISOString(),
    drained,
    client: clientCounts(variants),
    totals: finish(totalFigures, totalSettledEstimate),
    tiers: [...tiers.values()]
      .map(({settledEstimate, ...tier}) => finish(tier, settledEstimate))
      .sort((a, b) => a.tier.localeCompare(b.tier)),
    users: userList,
    invariants: {
      over_admitted: await overAdmitted(stores.pg, since),
      drift,
      open_reservations: await stores.redis.hlen('quota:open'),
      double_charged: await doubleCharged(stores),
    },
  }
}

function emptyFigures(): QuotaFigures {
  return {
    admitted: 0,
    settled: 0,
    estimatedTokens: 0,
    reservedTokens: 0,
    usedTokens: 0,
    refundedTokens: 0,
    estimateError: 0,
  }
}

function addFigures(into: QuotaFigures, from: QuotaFigures): void {
  into.admitted += from.admitted
  into.settled += from.settled
  into.estimatedTokens += from.estimatedTokens
  into.reservedTokens += from.reservedTokens
  into.usedTokens += from.usedTokens
}

function finish<T extends QuotaFigures>(figures: T, settledEstimate: number): T {
  return {
    ...figures,
    refundedTokens: settledEstimate - figures.usedTokens,
    estimateError: settledEstimate === 0 ? 0 : (settledEstimate - figures.usedTokens) / settledEstimate,
  }
}

function clientCounts(variants: readonly VariantData[]): QuotaAccounting['client'] {
  let attempted = 0
  let rejected = 0
  for (const variant of variants) {
    const accept = variant.totals['generate.accept']
    if (!accept) continue
    attempted += accept.counts.attempts
    rejected += accept.counts.attemptErrors.http429
  }
  return {attempted, rejected}
}

/** Admissions beyond the tier's daily and monthly request limits, for the periods the run touched. */
async function overAdmitted(client: QuotaStores['pg'], since: Date): Promise<number> {
  const result = await client.query<{over: string}>(
    `WITH touched AS (SELECT DISTINCT user_id, quota_day, quota_month FROM requests WHERE created_at >= $1),
          daily AS (SELECT r.user_id, greatest(0, count(*) - t.daily_requests) AS over
                      FROM requests r JOIN tiers t ON t.name = r.tier
                     WHERE (r.user_id, r.quota_day) IN (SELECT user_id, quota_day FROM touched)
                     GROUP BY r.user_id, r.quota_day, t.daily_requests),
          monthly AS (SELECT r.user_id, greatest(0, count(*) - t.monthly_requests) AS over
                        FROM requests r JOIN tiers t ON t.name = r.tier
                       WHERE (r.user_id, r.quota_month) IN (SELECT user_id, quota_month FROM touched)
                       GROUP BY r.user_id, r.quota_month, t.monthly_requests)
     SELECT (SELECT coalesce(sum(over), 0) FROM daily) + (SELECT coalesce(sum(over), 0) FROM monthly) AS over`,
    [since],
  )
  return Number(result.rows[0]!.over)
}

/**
 * Redis `used` minus the usage_log sum for every user with usage on the given quota days (not only
 * the run's users: a counter that drifted earlier that day is still a broken invariant).
 */
async function driftByUserDay(
  stores: QuotaStores,
  days: string[],
): Promise<Map<string, {drift: number; reserved: number}>> {
  const drifts = new Map<string, {drift: number; reserved: number}>()
  if (days.length === 0) return drifts
  const logged = await stores.pg.query<{user_id: string; quota_day: string; used: string}>(
    `SELECT user_id, to_char(quota_day, 'YYYY-MM-DD') AS quota_day, sum(actual_tokens) AS used FROM usage_log WHERE quota_day = ANY($1::date[]) GROUP BY 1, 2
     UNION SELECT DISTINCT user_id, to_char(quota_day, 'YYYY-MM-DD'), 0 FROM requests
      WHERE quota_day = ANY($1::date[]) AND NOT EXISTS (SELECT 1 FROM usage_log u WHERE u.user_id = requests.user_id AND u.quota_day = requests.quota_day)`,
    [days],
  )
  const pipeline = stores.redis.pipeline()
  for (const row of logged.rows) pipeline.hmget(`quota:${row.user_id}:d:${row.quota_day}`, 'used', 'reserved')
  const replies = (await pipeline.exec()) ?? []
  logged.rows.forEach((row, index) => {
    const [error, values] = replies[index] ?? [null, [null, null]]
    if (error) throw error
    const [used, reserved] = values as [string | null, string | null]
    drifts.set(`${row.user_id}\u0000${row.quota_day}`, {
      drift: Number(used ?? 0) - Number(row.used),
      reserved: Math.max(0, Number(reserved ?? 0)),
    })
  })
  return drifts
}

async function doubleCharged(stores: QuotaStores): Promise<number> {
  const open = await stores.redis.hkeys('quota:open')
  if (open.length === 0) return 0
  const result = await stores.pg.query<{count: string}>(
    'SELECT count(*) AS count FROM usage_log WHERE request_id = ANY($1::uuid[])',
    [open],
  )
  return Number(result.rows[0]!.count)
}
