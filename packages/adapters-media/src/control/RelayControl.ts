/**
 * The control plane's side of restream relays:
 *
 * - `settle`, a loop in every process that runs timers: a target of a live livestream starts relaying its
 *   session (also when it is enabled while live, not again once it failed for that session), a relay
 *   whose retry is due connects again, and a relay whose session ended (or moved on) stops;
 * - `forNode`, the node API's side: the relays of the sessions a node holds (their media is on that node),
 *   and the node's reports of each attempt (connected, failed with its reason). A node speaks only of
 *   relays of sessions it holds.
 *
 * `ONAIR_RESTREAM_GIVE_UP_SECONDS` (300): how long a relay keeps failing before it gives up.
 */
import { awaitReadModel, currentTimestamp, RestreamCommands } from "@onair/application"
import { CatalogReads, RestreamReads } from "@onair/catalog"
import {
  type LivestreamId,
  type MediaNodeId,
  nodeOfIngest,
  originMetadata,
  type RelayFailure,
  currentSessionId,
  isSessionOpen,
  relayingSession,
  type RestreamCommand,
  type RestreamTargetId,
  RestreamUrlCheck,
  type SessionId
} from "@onair/core"
import { Config, Duration, Effect, Schema } from "effect"
import type { RelayAssignment, RelayProgressReport } from "../protocol/MediaControl.ts"

/** How often the control plane settles relays, and how many targets a round looks at. */
const SETTLE_MILLIS = 500
const SETTLE_BATCH = 1000

export const giveUpFromEnv = Config.schema(
  Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 86_400 }))),
  "ONAIR_RESTREAM_GIVE_UP_SECONDS"
).pipe(Config.withDefault(300))

export const make = Effect.gen(function* () {
  const catalog = yield* CatalogReads
  const reads = yield* RestreamReads
  const restreams = yield* RestreamCommands
  const giveUpAfterSeconds = yield* Effect.orDie(giveUpFromEnv)
  const urls = yield* RestreamUrlCheck
  /** Each run's address check, once (`<node>|<target>:<session>:<run>`); pruned to the runs in progress. */
  const checked = new Map<string, boolean>()

  const run = (command: RestreamCommand, actor: string) =>
    restreams
      .handle(command, originMetadata(`restream:${command.targetId}:${command._tag}:${command.at}`, actor, command.at))
      .pipe(
        awaitReadModel(catalog),
        Effect.asVoid,
        Effect.catch((error) =>
          Effect.logWarning(`restreams: ${command._tag} of ${command.targetId} not recorded: ${error._tag}`)
        )
      )

  /** The session a livestream broadcasts now (connected or inside its reconnect window), if any. */
  const liveSessionOf = (livestreamId: LivestreamId) =>
    Effect.map(catalog.livestreamById(livestreamId), (livestream) =>
      livestream !== undefined && isSessionOpen(livestream) ? currentSessionId(livestream) : null
    )

  /** One round: starts, retries and stops what is due. */
  const settle = Effect.gen(function* () {
    const targets = yield* reads.unsettled(SETTLE_BATCH)
    for (const target of targets) {
      const at = yield* currentTimestamp
      const live = yield* liveSessionOf(target.livestreamId)
      const running = relayingSession(target)
      const actor = "system:restreams"
      if (running !== null && running !== live) {
        yield* run({ _tag: "StopRelay", targetId: target.id, at, sessionId: running, reason: "session ended" }, actor)
        continue
      }
      const failedThisSession = target.relay._tag === "Failed" && target.relay.sessionId === live
      if (live !== null && running === null && target.enabled && !failedThisSession) {
        yield* run({ _tag: "StartRelay", targetId: target.id, at, sessionId: live }, actor)
        continue
      }
      if (target.relay._tag === "Retrying" && target.relay.sessionId === live && at >= target.relay.retryAt) {
        yield* run({ _tag: "RetryRelay", targetId: target.id, at, sessionId: live }, actor)
      }
    }
  })

  /** The node API's relay operations for node `nodeId`. */
  const forNode = (nodeId: MediaNodeId) => {
    /** The session's media is on this node now: its publisher is connected here. */
    const heldHere = (sessionId: SessionId) =>
      Effect.map(
        catalog.sessionById(sessionId),
        (session) =>
          session !== undefined &&
          session.connectedSince !== null &&
          session.ingestId !== null &&
          nodeOfIngest(session.ingestId) === nodeId
      )
    return {
      relays: Effect.fn("RelayControl.relays")(function* (progress: ReadonlyArray<RelayProgressReport>) {
        // A session is asked about once per call, whether for its samples or for its relays.
        const held = new Map<SessionId, boolean>()
        const isHeld = (sessionId: SessionId) =>
          held.has(sessionId)
            ? Effect.succeed(held.get(sessionId)!)
            : Effect.tap(heldHere(sessionId), (answer) => Effect.sync(() => held.set(sessionId, answer)))
        const sampledAt = yield* currentTimestamp
        const samples = yield* Effect.filter(progress, (sample) => isHeld(sample.sessionId))
        yield* reads.recordProgress(samples.map((sample) => ({ ...sample, sampledAt })))
        const assigned: Array<RelayAssignment> = []
        const attempts = new Set<string>()
        for (const target of yield* reads.relaying()) {
          const relay = target.relay
          if (relay._tag !== "Connecting" && relay._tag !== "Live") continue
          if (!(yield* isHeld(relay.sessionId))) continue
          if (relay._tag === "Connecting") {
            // The name is resolved and its addresses checked again before each attempt (they may have changed).
            const attempt = `${nodeId}|${target.id}:${relay.sessionId}:${relay.since}`
            attempts.add(attempt)
            const allowed =
              checked.get(attempt) ??
              (yield* Effect.match(urls.check(target.url), { onFailure: () => false, onSuccess: () => true }))
            checked.set(attempt, allowed)
            if (!allowed) {
              const at = yield* currentTimestamp
              yield* run(
                {
                  _tag: "RelayAttemptFailed",
                  targetId: target.id,
                  at,
                  sessionId: relay.sessionId,
                  reason: "address refused",
                  giveUpAfterSeconds
                },
                `media-node:${nodeId}`
              )
              continue
            }
          }
          assigned.push({
            targetId: target.id,
            sessionId: relay.sessionId,
            url: target.url,
            streamKey: target.streamKey,
            attempt: relay._tag === "Connecting" ? relay.attempt : 0,
            run: relay._tag === "Connecting" ? relay.since : 0,
            live: relay._tag === "Live",
            verifyTls: target.verifyTls
          })
        }
        for (const attempt of checked.keys())
          if (attempt.startsWith(`${nodeId}|`) && !attempts.has(attempt)) checked.delete(attempt)
        return assigned
      }),
      relayConnected: Effect.fn("RelayControl.relayConnected")(function* (
        targetId: RestreamTargetId,
        sessionId: SessionId
      ) {
        if (!(yield* heldHere(sessionId))) return
        const at = yield* currentTimestamp
        yield* run({ _tag: "RelayConnected", targetId, at, sessionId }, `media-node:${nodeId}`)
      }),
      relayFailed: Effect.fn("RelayControl.relayFailed")(function* (
        targetId: RestreamTargetId,
        sessionId: SessionId,
        reason: RelayFailure
      ) {
        if (!(yield* heldHere(sessionId))) return
        const at = yield* currentTimestamp
        yield* run(
          { _tag: "RelayAttemptFailed", targetId, at, sessionId, reason, giveUpAfterSeconds },
          `media-node:${nodeId}`
        )
      })
    }
  }

  return { settle, forNode }
})

/** Settles relays for as long as it runs; a failed round is logged, the next goes on. */
export const run = Effect.flatMap(make, ({ settle }) =>
  Effect.forever(
    Effect.andThen(
      settle.pipe(Effect.catchCause((cause) => Effect.logError("restreams: relay round failed", cause))),
      Effect.sleep(Duration.millis(SETTLE_MILLIS))
    )
  )
)
