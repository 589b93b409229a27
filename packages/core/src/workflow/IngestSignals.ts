/**
 * What a media node says about a connection, decided: a publish authorised or refused (the key, the
 * livestream's placement, the node's state), a connection's end and its media's, health, manifests and
 * failures.
 */
import { Effect } from "effect"
import { IngestAlreadyDecided, IngestNotConnected, IngestNotFound } from "../ingest/IngestError.ts"
import { isConnected } from "../ingest/IngestState.ts"
import type { IngestId, LivestreamId } from "../Ids.ts"
import type { LivestreamCommand } from "../livestream/LivestreamCommand.ts"
import { authorisePublish } from "../livestream/LivestreamDecider.ts"
import { admits } from "../node/Placement.ts"
import { AggregateReader } from "../ports/AggregateReader.ts"
import type { Timestamp } from "../Time.ts"
import type { IngestSignal } from "./Signal.ts"
import type { Step, UnitOfWork } from "./UnitOfWork.ts"

/**
 * Ends a connection, and with it the media of the broadcast it was publishing, by `command`. Only the
 * livestream's own publisher ends its media: a dropped or refused connection's end does not.
 */
const disconnect = (
  work: UnitOfWork,
  signal: { readonly ingestId: IngestId; readonly at: Timestamp },
  command: (livestreamId: LivestreamId) => LivestreamCommand
): Step<void> =>
  Effect.gen(function* () {
    const { state } = yield* work.decide("ingest", {
      _tag: "DisconnectIngest",
      ingestId: signal.ingestId,
      at: signal.at
    })
    if (state === null || state.verdict._tag !== "Accepted") return
    const livestream = yield* work.readLivestream(state.verdict.livestreamId)
    if (
      livestream !== null &&
      !livestream.deleted &&
      livestream.broadcast._tag === "Connected" &&
      livestream.broadcast.ingestId === signal.ingestId
    ) {
      yield* work.broadcast(command(livestream.id), signal.at)
    }
  })

export const ingestSignal = (work: UnitOfWork, signal: IngestSignal): Step<void> =>
  Effect.gen(function* () {
    const reader = yield* AggregateReader
    switch (signal._tag) {
      case "Publish": {
        const livestreamId = yield* reader.livestreamIdByStreamKey(signal.streamKey)
        const livestream = livestreamId === null ? null : yield* work.readLivestream(livestreamId)
        // A good key is refused for the node when the livestream is placed elsewhere, or the node takes none.
        const keyRefusal = authorisePublish(livestream, signal.streamKey, signal.at)
        const refusal =
          keyRefusal !== null || livestream === null
            ? keyRefusal
            : !admits(livestream.placement, signal.nodeId, signal.nodeRegion)
              ? "wrong media node"
              : !signal.nodeAccepting
                ? "media node not accepting"
                : null
        const common = {
          ingestId: signal.ingestId,
          nodeId: signal.nodeId,
          at: signal.at,
          publisher: signal.publisher,
          ...(signal.protocol === undefined ? {} : { protocol: signal.protocol })
        }
        if (refusal !== null || livestream === null) {
          yield* work.decide("ingest", {
            _tag: "RefusePublish",
            ...common,
            livestreamId: refusal === "unknown key" || livestream === null ? null : livestream.id,
            reason: refusal ?? "unknown key"
          })
          return
        }
        // A connection publishes once; a repeated request must not touch the livestream.
        if ((yield* reader.ingest(signal.ingestId)) !== null) {
          return yield* Effect.fail(new IngestAlreadyDecided({ ingestId: signal.ingestId }))
        }
        const events = yield* work.broadcast(
          {
            _tag: "ConnectPublisher",
            livestreamId: livestream.id,
            at: signal.at,
            ingestId: signal.ingestId,
            streamKey: signal.streamKey,
            sessionId: signal.sessionId
          },
          signal.at
        )
        const connected = events.find((event) => event._tag === "PublisherConnected")
        yield* work.decide("ingest", {
          _tag: "AcceptPublish",
          ...common,
          livestreamId: livestream.id,
          sessionId: connected?.sessionId ?? signal.sessionId
        })
        return
      }
      case "Unpublish":
        return yield* disconnect(work, signal, (livestreamId) => ({
          _tag: "DisconnectPublisher",
          livestreamId,
          at: signal.at,
          ingestId: signal.ingestId
        }))
      case "ReportHealth":
        yield* work.decide("ingest", {
          _tag: "SampleHealth",
          ingestId: signal.ingestId,
          at: signal.at,
          health: signal.health
        })
        return
      case "ReportManifest":
        yield* work.decide("ingest", { _tag: "MarkManifestAvailable", ingestId: signal.ingestId, at: signal.at })
        return
      case "ReportRenditionsRefused":
        yield* work.decide("ingest", {
          _tag: "RefuseRenditions",
          ingestId: signal.ingestId,
          at: signal.at,
          reason: signal.reason,
          renditions: signal.renditions
        })
        return
      case "ReportMediaLost":
        return yield* disconnect(work, signal, (livestreamId) => ({
          _tag: "AbortBroadcast",
          livestreamId,
          at: signal.at,
          message: signal.message
        }))
      case "ReportPublishFailure": {
        const ingest = yield* reader.ingest(signal.ingestId)
        if (ingest === null) return yield* Effect.fail(new IngestNotFound({ ingestId: signal.ingestId }))
        if (ingest.verdict._tag !== "Accepted" || !isConnected(ingest)) {
          return yield* Effect.fail(new IngestNotConnected({ ingestId: signal.ingestId }))
        }
        yield* work.broadcast(
          {
            _tag: "FailPublish",
            livestreamId: ingest.verdict.livestreamId,
            at: signal.at,
            ingestId: signal.ingestId,
            message: signal.message
          },
          signal.at
        )
        return
      }
    }
  })
