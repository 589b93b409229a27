/**
 * What every catalog query shares: the scope a caller may see, pages and their requests, the filters and
 * ranges, and how rows become states (one, all, a page with its total). A database that fails a read is
 * the server's fault (a defect), as a failing event store is on the command path.
 */
import type { AccountId, AppId, Interval, LivestreamStatus, MeetingId } from "@onair/core"
import { Effect } from "effect"

/** The account and app a caller may see. */
export interface Scope {
  readonly accountId: AccountId
  readonly appId: AppId
}

export interface MeetingSessionInterval extends Interval {
  readonly meetingId: MeetingId
}

/** One page of a list and how many there are in all. */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly total: number
}

export interface PageRequest {
  /** 1-based. */
  readonly pageNo: number
  readonly perPage: number
}

export interface LivestreamFilter extends PageRequest {
  readonly status?: LivestreamStatus | undefined
  readonly excludeMeetings: boolean
  /** Created at or after / at or before, epoch ms. */
  readonly from?: number | undefined
  readonly to?: number | undefined
  /** ASC: oldest first. */
  readonly order: "ASC" | "DSC"
  /** Livestreams whose name contains it (case-insensitive), or whose id it is. */
  readonly search?: string | undefined
}

/** Epoch ms range, `from` inclusive, `to` exclusive. */
export interface Range {
  readonly from: number
  readonly to: number
}

export const iso = (millis: number) => new Date(millis).toISOString()
export const offsetOf = (page: PageRequest) => (page.pageNo - 1) * page.perPage

type Rows<R> = Effect.Effect<ReadonlyArray<R>, unknown>

/** The first row's state, decoded, or undefined. */
export const one = <A>(rows: Rows<{ readonly state: unknown }>, decode: (state: unknown) => A) =>
  Effect.orDie(Effect.map(rows, (found) => (found[0] === undefined ? undefined : decode(found[0].state))))

/** Every row's state, decoded. */
export const all = <A>(rows: Rows<{ readonly state: unknown }>, decode: (state: unknown) => A) =>
  Effect.orDie(Effect.map(rows, (found) => found.map((row) => decode(row.state))))

/** A page: its rows carry the window's count; a page past the end needs a count of its own. */
export const paged = <A>(
  rows: Rows<{ readonly state: unknown; readonly total: unknown }>,
  count: Rows<{ readonly total: unknown }>,
  decode: (state: unknown) => A
): Effect.Effect<Page<A>> =>
  Effect.orDie(
    Effect.gen(function* () {
      const found = yield* rows
      const total = found[0] !== undefined ? Number(found[0].total) : Number((yield* count)[0]?.total ?? 0)
      return { items: found.map((row) => decode(row.state)), total }
    })
  )

/** `found` when it is of the scope's account and app. */
export const inScope =
  <A extends { readonly accountId: string; readonly appId: string }>(scope: Scope) =>
  (found: A | undefined) =>
    found !== undefined && found.accountId === scope.accountId && found.appId === scope.appId ? found : undefined
