// Waits until the stack has settled what a run asked of it: no request created since the run's
// start still queued or running, and no quota reservation open. Returns false on timeout.
import {setTimeout as sleep} from 'node:timers/promises'
import type {QuotaStores} from './accounting.js'

export async function waitForDrain(stores: QuotaStores, since: Date, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const pending = await stores.pg.query<{count: string}>(
      "SELECT count(*) AS count FROM requests WHERE created_at >= $1 AND status IN ('queued', 'running')",
      [since],
    )
    const open = await stores.redis.hlen('quota:open')
    if (Number(pending.rows[0]!.count) === 0 && open === 0) return true
    if (Date.now() >= deadline) return false
    await sleep(250)
  }
}
