// The Redis Lua scripts of the token quota. Each runs atomically in Redis, so 1,000 concurrent
// generates against a limit of 100 admit exactly 100. Quota hashes (`quota:<user>:d:<day>` and
// `quota:<user>:m:<month>`) hold `requests` (admitted), `reserved` (tokens of open reservations)
// and `used` (actual tokens settled); `quota:open` maps each open request id to its estimate.

/**
 * Admit: the per-key token bucket, then the daily and monthly request and token limits; only when
 * all pass is anything changed (one bucket token taken, the request counted, the estimate reserved).
 * The admitted request also enters the pending-dispatch set, scored by nowMs, until RabbitMQ confirms
 * it (gateway/dispatcher.ts), so a gateway that dies in between never strands it; and its `queued`
 * status copy is written, so polls find it at once (one round trip instead of two per generate).
 * KEYS: bucket, day, month, open, pendingDispatch, statusCopy. ARGV: nowMs, ratePerSecond, burst,
 * dayRequests, dayTokens, monthRequests, monthTokens, estimate, requestId, dayTtlSeconds,
 * monthTtlSeconds, pendingMember, statusJson, statusTtlSeconds.
 * Returns {status, limit, remaining, retryMs}: status 0 admitted, 1 rate limited, 2 daily requests,
 * 3 daily tokens, 4 monthly requests, 5 monthly tokens.
 */
export const ADMIT_SCRIPT = `
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local estimate = tonumber(ARGV[8])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(bucket[1]) or burst
local ts = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
if tokens < 1 then
  return {1, burst, 0, math.ceil((1 - tokens) * 1000 / rate)}
end
local limits = {{KEYS[2], tonumber(ARGV[4]), tonumber(ARGV[5]), 2}, {KEYS[3], tonumber(ARGV[6]), tonumber(ARGV[7]), 4}}
local remaining = nil
for _, l in ipairs(limits) do
  local q = redis.call('HMGET', l[1], 'requests', 'reserved', 'used')
  local requests = tonumber(q[1]) or 0
  local tokensTaken = (tonumber(q[2]) or 0) + (tonumber(q[3]) or 0)
  if requests + 1 > l[2] then return {l[4], l[2], 0, -1} end
  if tokensTaken + estimate > l[3] then return {l[4] + 1, l[3], math.max(0, l[3] - tokensTaken), -1} end
  if remaining == nil then remaining = l[2] - requests - 1 end
end
redis.call('HSET', KEYS[1], 'tokens', tokens - 1, 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
for i, l in ipairs(limits) do
  redis.call('HINCRBY', l[1], 'requests', 1)
  redis.call('HINCRBY', l[1], 'reserved', estimate)
  if redis.call('TTL', l[1]) < 0 then redis.call('EXPIRE', l[1], tonumber(ARGV[9 + i])) end
end
redis.call('HSET', KEYS[4], ARGV[9], estimate)
redis.call('ZADD', KEYS[5], now, ARGV[12])
redis.call('SET', KEYS[6], ARGV[13], 'EX', tonumber(ARGV[14]))
return {0, tonumber(ARGV[4]), remaining, math.floor(tokens - 1)}
`

/**
 * Settle: releases a request's reservation and adds its actual tokens, once. The open entry is the
 * idempotency guard: a redelivered result finds it gone and changes nothing.
 * KEYS: day, month, open. ARGV: requestId, actualTokens. Returns 1 when settled now, 0 when it was
 * settled before (or never reserved).
 */
export const SETTLE_SCRIPT = `
local estimate = redis.call('HGET', KEYS[3], ARGV[1])
if not estimate then return 0 end
redis.call('HDEL', KEYS[3], ARGV[1])
for i = 1, 2 do
  redis.call('HINCRBY', KEYS[i], 'reserved', -tonumber(estimate))
  redis.call('HINCRBY', KEYS[i], 'used', tonumber(ARGV[2]))
end
return 1
`

/**
 * Refund: undoes an admission that did not end in a stored, queued request (the store failed, the
 * gateway stopped, or died before storing): the request leaves the daily and monthly request counts,
 * its reservation is released with nothing used, and its pending-dispatch entry and status copy go.
 * The open entry is the guard, as in settle: a second refund, or a refund after a settle, changes
 * nothing but removing the entries. A request marked stored (CONFIRM_STORED_SCRIPT) is never refunded.
 * KEYS: day, month, open, pendingDispatch, statusCopy, admissionOutcome. ARGV: requestId, pendingMember.
 * Returns 1 when refunded now, 0 otherwise.
 */
export const REFUND_SCRIPT = `
if redis.call('GET', KEYS[6]) == 'stored' then return 0 end
redis.call('ZREM', KEYS[4], ARGV[2])
redis.call('DEL', KEYS[5], KEYS[6])
local estimate = redis.call('HGET', KEYS[3], ARGV[1])
if not estimate then return 0 end
redis.call('HDEL', KEYS[3], ARGV[1])
for i = 1, 2 do
  redis.call('HINCRBY', KEYS[i], 'requests', -1)
  redis.call('HINCRBY', KEYS[i], 'reserved', -tonumber(estimate))
end
return 1
`

/**
 * Confirm stored: a gateway whose store took long enough that the dispatch sweeper may have looked for
 * the row before it was committed settles the race here, atomically against REFUND_SCRIPT. If the
 * admission is still open, the request is marked stored (and the sweeper will not refund it);
 * otherwise the sweeper refunded it first, and the gateway must drop the row.
 * KEYS: open, admissionOutcome. ARGV: requestId, markTtlSeconds. Returns 1 when marked, 0 when refunded before.
 */
export const CONFIRM_STORED_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], 'stored', 'EX', tonumber(ARGV[2]))
return 1
`
