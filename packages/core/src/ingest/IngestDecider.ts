/**
 * The ingest decider: one encoder connection. Its publish request is decided once (accepted for a
 * session, or refused with the seed's reason); health is sampled while it is connected; it disconnects
 * once. A refused connection still disconnects: nginx reports the end of every connection it refused.
 */
import { Result } from "effect"
import type { Decider } from "../Decider.ts"
import { CommandOutOfOrder } from "../DomainError.ts"
import type { IngestCommand } from "./IngestCommand.ts"
import {
  IngestAlreadyDecided,
  IngestAlreadyDisconnected,
  type IngestError,
  IngestNotConnected,
  IngestNotFound
} from "./IngestError.ts"
import type { IngestEvent } from "./IngestEvent.ts"
import { type Ingest, type IngestState, isConnected } from "./IngestState.ts"

type Events = Result.Result<ReadonlyArray<IngestEvent>, IngestError | CommandOutOfOrder>

const decideExisting = (command: IngestCommand, ingest: Ingest): Events => {
  const subject = { ingestId: ingest.id, at: command.at }
  switch (command._tag) {
    case "AcceptPublish":
    case "RefusePublish":
      return Result.fail(new IngestAlreadyDecided({ ingestId: ingest.id }))
    case "SampleHealth":
      if (!isConnected(ingest)) return Result.fail(new IngestNotConnected({ ingestId: ingest.id }))
      return Result.succeed([{ _tag: "IngestHealthSampled", ...subject, health: command.health }])
    case "MarkManifestAvailable":
      if (!isConnected(ingest)) return Result.fail(new IngestNotConnected({ ingestId: ingest.id }))
      return Result.succeed(ingest.manifestAvailableAt === null ? [{ _tag: "ManifestAvailable", ...subject }] : [])
    case "RefuseRenditions":
      if (!isConnected(ingest)) return Result.fail(new IngestNotConnected({ ingestId: ingest.id }))
      return Result.succeed(
        ingest.renditionsRefused === command.reason
          ? []
          : [{ _tag: "RenditionsRefused", ...subject, reason: command.reason, renditions: command.renditions }]
      )
    case "DisconnectIngest":
      if (ingest.disconnectedAt !== null) return Result.fail(new IngestAlreadyDisconnected({ ingestId: ingest.id }))
      return Result.succeed([{ _tag: "IngestDisconnected", ...subject }])
  }
}

export const decide = (command: IngestCommand, state: IngestState): Events => {
  if (state === null) {
    switch (command._tag) {
      case "AcceptPublish":
        return Result.succeed([{ ...command, _tag: "IngestAccepted" }])
      case "RefusePublish":
        return Result.succeed([{ ...command, _tag: "IngestRefused" }])
      default:
        return Result.fail(new IngestNotFound({ ingestId: command.ingestId }))
    }
  }
  if (command.at < state.updatedAt) {
    return Result.fail(
      new CommandOutOfOrder({ aggregate: "ingest", id: state.id, at: command.at, lastChangedAt: state.updatedAt })
    )
  }
  return decideExisting(command, state)
}

export const evolve = (state: IngestState, event: IngestEvent): IngestState => {
  const fresh = (
    verdict: Ingest["verdict"],
    publisher: Ingest["publisher"],
    nodeId: Ingest["nodeId"],
    protocol: Ingest["protocol"]
  ): Ingest => ({
    id: event.ingestId,
    nodeId,
    ...(protocol === undefined ? {} : { protocol }),
    publisher,
    verdict,
    requestedAt: event.at,
    disconnectedAt: null,
    health: null,
    lastSampleAt: null,
    totals: { samples: 0, videoBitrate: 0, audioBitrate: 0, videoFps: 0 },
    manifestAvailableAt: null,
    updatedAt: event.at
  })
  switch (event._tag) {
    case "IngestAccepted":
      return fresh(
        { _tag: "Accepted", livestreamId: event.livestreamId, sessionId: event.sessionId },
        event.publisher,
        event.nodeId,
        event.protocol
      )
    case "IngestRefused":
      return fresh(
        { _tag: "Refused", livestreamId: event.livestreamId, reason: event.reason },
        event.publisher,
        event.nodeId,
        event.protocol
      )
  }
  if (state === null) return state
  const ingest = { ...state, updatedAt: event.at }
  switch (event._tag) {
    case "IngestHealthSampled":
      return {
        ...ingest,
        health: event.health,
        lastSampleAt: event.at,
        totals: {
          samples: ingest.totals.samples + 1,
          videoBitrate: ingest.totals.videoBitrate + event.health.videoBitrate,
          audioBitrate: ingest.totals.audioBitrate + event.health.audioBitrate,
          videoFps: ingest.totals.videoFps + event.health.videoFps
        }
      }
    case "ManifestAvailable":
      return { ...ingest, manifestAvailableAt: event.at }
    case "RenditionsRefused":
      return { ...ingest, renditionsRefused: event.reason }
    case "IngestDisconnected":
      return { ...ingest, disconnectedAt: event.at }
  }
}

export const IngestDecider: Decider<IngestCommand, IngestEvent, IngestState, IngestError | CommandOutOfOrder> = {
  initialState: null,
  decide,
  evolve
}
