/**
 * A bounded cache of the hottest reads (a livestream, a page of its sessions, a page of an app's
 * livestreams, an API token), kept correct by the log:
 * this process follows the log from the catalog's checkpoint and drops every entry an event touches. An
 * entry is kept only when the catalog's checkpoint, known before it was read, had reached every event the
 * follower has seen: so every event the read may have missed is one the follower sees later. Least
 * recently used entries go first past `capacity`.
 *
 * A reader after a write waits for the follower too (`awaitTransaction`), so a cached entry older than
 * the write is gone before the reader looks.
 */
import type { EventStore, LivestreamId, Position, SessionId, StoredEvent } from "@onair/core"
import { DomainEvents, Subscription, TransactionGate } from "@onair/event-store"
import { Duration, Effect, Schedule, type Scope } from "effect"

export const DEFAULT_CAPACITY = 10_000

/**
 * The group of every cached list of livestreams: any livestream event may change any list (a new one, a
 * status, a deletion), so each drops them all.
 */
export const LISTS = "*lists" as LivestreamId

export interface CatalogCache {
  /**
   * The cached value, or `load`'s (kept when it may be: see above); undefined is never kept. An entry is
   * dropped with its group: a livestream's id (its events and its sessions' drop it), `LISTS`, or the name
   * of the one stream it is read from.
   */
  readonly through: <A>(
    key: string,
    group: LivestreamId | string,
    load: Effect.Effect<A | undefined>,
    sessions?: (value: A) => ReadonlyArray<SessionId>
  ) => Effect.Effect<A | undefined>
  /** The cached value alone, without loading it (the lean read path's). */
  readonly peek: <A>(key: string) => A | undefined
  /** Resolves once the follower has seen the given transaction. */
  readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
}

/**
 * Follows the log from `from`; `checkpoint` says which transaction the catalog's tables have reached at
 * least (it may lag, never lead).
 */
export const make = (
  from: Position,
  checkpoint: () => number,
  capacity = DEFAULT_CAPACITY
): Effect.Effect<CatalogCache, never, EventStore | Scope.Scope> =>
  Effect.gen(function* () {
    const entries = new Map<string, { readonly value: unknown; readonly livestreamId: LivestreamId }>()
    const keysOf = new Map<LivestreamId, Set<string>>()
    // A livestream's sessions on any of its cached entries, so an event naming only the session finds
    // them; kept while the livestream has an entry at all.
    const sessionsOf = new Map<LivestreamId, Set<SessionId>>()
    const livestreamOfSession = new Map<SessionId, LivestreamId>()
    let lastSeen: Position = from
    const gate = TransactionGate.make(from.transaction)

    /** Forgets a livestream that has no entry left. */
    const release = (livestreamId: LivestreamId) => {
      keysOf.delete(livestreamId)
      for (const session of sessionsOf.get(livestreamId) ?? []) livestreamOfSession.delete(session)
      sessionsOf.delete(livestreamId)
    }

    const drop = (livestreamId: LivestreamId) => {
      for (const key of keysOf.get(livestreamId) ?? []) entries.delete(key)
      release(livestreamId)
    }

    const keep = (key: string, livestreamId: LivestreamId, value: unknown, sessions: ReadonlyArray<SessionId>) => {
      entries.set(key, { value, livestreamId })
      keysOf.set(livestreamId, (keysOf.get(livestreamId) ?? new Set()).add(key))
      const known = sessionsOf.get(livestreamId) ?? new Set<SessionId>()
      for (const session of sessions) {
        known.add(session)
        livestreamOfSession.set(session, livestreamId)
      }
      sessionsOf.set(livestreamId, known)
      while (entries.size > capacity) {
        const oldest = entries.keys().next().value!
        const owner = entries.get(oldest)!.livestreamId
        entries.delete(oldest)
        const left = keysOf.get(owner)
        left?.delete(oldest)
        if (left === undefined || left.size === 0) release(owner)
      }
    }

    const peek = <A>(key: string): A | undefined => {
      const cached = entries.get(key)
      if (cached === undefined) return undefined
      // Most recently used last.
      entries.delete(key)
      entries.set(key, cached)
      return cached.value as A
    }

    const see = (events: ReadonlyArray<StoredEvent>) =>
      Effect.sync(() => {
        for (const event of events) {
          const subject = DomainEvents.parseStream(event.stream)
          if (subject?.kind === "livestream") {
            drop(subject.id as LivestreamId)
            drop(LISTS)
          }
          if (subject?.kind === "session") {
            const named = (event.data as { readonly livestreamId?: unknown }).livestreamId
            const livestreamId =
              typeof named === "string" ? (named as LivestreamId) : livestreamOfSession.get(subject.id as SessionId)
            if (livestreamId !== undefined) drop(livestreamId)
          }
          // Any other stream (a token, a webhook endpoint) is the group of its own entries.
          if (subject === undefined) drop(event.stream as LivestreamId)
          lastSeen = event.position
        }
        const last = events.at(-1)
        if (last !== undefined) gate.advance(last.position.transaction)
      })

    const follow = Effect.suspend(() =>
      Subscription.follow(lastSeen, see, {
        onCaughtUp: (position) => gate.advance(position.transaction),
        eager: gate.waiting,
        // Under a busy log, read in batches: a reader after its own write still ends the wait at once.
        linger: Duration.millis(10)
      })
    )
    // While the log cannot be read nothing is kept (the follower may have missed an event), and it
    // follows again from where it was.
    yield* Effect.forkScoped(
      follow.pipe(
        Effect.tapError(() =>
          Effect.sync(() => {
            entries.clear()
            keysOf.clear()
            sessionsOf.clear()
            livestreamOfSession.clear()
          })
        ),
        Effect.retry(Schedule.min([Schedule.exponential(Duration.millis(200)), Schedule.spaced(Duration.seconds(30))])),
        Effect.ignore
      )
    )

    return {
      peek,
      through: <A>(
        key: string,
        group: string,
        load: Effect.Effect<A | undefined>,
        sessions?: (value: A) => ReadonlyArray<SessionId>
      ) =>
        Effect.suspend((): Effect.Effect<A | undefined> => {
          if (entries.has(key)) return Effect.succeed(peek<A>(key))
          const at = checkpoint()
          return Effect.map(load, (loaded) => {
            if (loaded !== undefined && lastSeen.transaction <= at)
              keep(key, group as LivestreamId, loaded, sessions?.(loaded) ?? [])
            return loaded
          })
        }),
      awaitTransaction: gate.await
    }
  })
