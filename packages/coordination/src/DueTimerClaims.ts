/**
 * Due timers claimed from `onair_livestreams`: each worker (replica) takes the rows whose next timer has
 * come and nobody holds, skipping rows another worker is claiming at the same moment, and holds them for
 * `CLAIM` so no other worker fires the same timer meanwhile. The projection frees a claim as soon as the
 * livestream changes (the timer fired); a claim whose timer could not fire (a refusal, a crash) runs out
 * and the timer is taken again.
 */
import type { LivestreamId, Timestamp } from "@onair/core"
import type { TimerWorker } from "@onair/application"
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { SecretKeyring } from "@onair/event-store"
import { CatalogStates } from "@onair/catalog"

/** How long a claimed timer is a worker's alone. */
export const CLAIM_SECONDS = 10

export const make = Effect.gen(function* () {
  const sql = yield* SqlClient
  const { decode } = CatalogStates.livestreamStates(yield* SecretKeyring)
  const claimDue = (at: Timestamp, limit: number) =>
    sql<{ id: string; state: unknown }>`
      UPDATE onair_livestreams AS l
      SET timer_claimed_until = now() + make_interval(secs => ${CLAIM_SECONDS})
      FROM (
        SELECT id FROM onair_livestreams
        WHERE next_timer_at <= ${new Date(at).toISOString()}::timestamptz
          AND (timer_claimed_until IS NULL OR timer_claimed_until < now())
        ORDER BY next_timer_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ) AS due
      WHERE l.id = due.id
      RETURNING l.id, l.state`.pipe(
      Effect.map(
        (rows): ReadonlyArray<TimerWorker.ClaimedTimer> =>
          rows.map((row) => ({ livestreamId: row.id as LivestreamId, open: () => decode(row.state) }))
      )
    )
  return { claimDue } satisfies TimerWorker.TimerSource
})
