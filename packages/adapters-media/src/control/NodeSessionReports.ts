/**
 * What a media node asks and tells of the sessions and livestreams it serves, on the control plane: where a
 * livestream is served (for its players' redirects), which of its sessions are still open, the viewer
 * seconds its players watched, and the SRT listeners it runs. A node hears and counts only what it holds.
 */
import { currentTimestamp, CommandHandler } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { MediaNodeRegistry } from "@onair/coordination"
import {
  admits,
  isOpen,
  type LivestreamId,
  type MediaNodeId,
  nodeOfIngest,
  originMetadata,
  type Session,
  type SessionId
} from "@onair/core"
import { Effect } from "effect"
import {
  type MediaControl,
  MediaControlRefused,
  MediaControlUnavailable,
  type PlaybackSession
} from "../protocol/MediaControl.ts"

type Reports = Pick<MediaControl["Service"], "playback" | "openSessions" | "accrueViewerSeconds" | "srtListeners">

/** `playbackOf`: where a livestream's broadcast is served, as a node (`self`) sees it. */
export const make = (
  playbackOf: (
    livestreamId: LivestreamId,
    withHealth: boolean,
    self: MediaNodeId
  ) => Effect.Effect<PlaybackSession | null>
) =>
  Effect.gen(function* () {
    const commands = yield* CommandHandler
    const catalog = yield* CatalogReads
    const registry = yield* MediaNodeRegistry

    /** What node `nodeId` asks and tells of its sessions. */
    const forNode = (nodeId: MediaNodeId): Reports => {
      const owns = (ingestId: string) => nodeOfIngest(ingestId) === nodeId

      /**
       * The livestreams with SRT on whose placement admits this node, enabled and not deleted; none while
       * the node holds no lease (never registered, lost or gone): each carries its stream key.
       */
      const srtListeners = Effect.fn("NodeControl.srtListeners")(function* () {
        const node = yield* registry.node(nodeId)
        const lease = yield* registry.leaseOf(nodeId)
        if (node === undefined || lease === undefined || lease.lost || lease.expiresAt < (yield* currentTimestamp))
          return []
        const livestreams = yield* catalog.srtLivestreams
        return livestreams
          .filter(
            (livestream) => livestream.disabled === null && admits(livestream.placement, nodeId, node?.region ?? null)
          )
          .map((livestream) => ({
            livestreamId: livestream.id,
            port: livestream.srtPort!,
            streamKey: livestream.streamKey
          }))
      })

      /**
       * Where a livestream is served: what any player learns from the node's redirect. Its health only
       * when this node holds it.
       */
      const playback = (livestreamId: LivestreamId, withHealth: boolean) =>
        Effect.flatMap(playbackOf(livestreamId, withHealth, nodeId), (session) =>
          Effect.succeed(session === null || session.nodeId === nodeId ? session : { ...session, health: null })
        )

      /** The session's media is (or was last) on this node: its current or last connection is this node's. */
      const holdsSession = (session: Session | undefined): session is Session =>
        session !== undefined && session.ingestId !== null && owns(session.ingestId)

      /** Which of these sessions are open, of those this node holds; another node's are not said. */
      const openSessions = Effect.fn("NodeControl.openSessions")(function* (sessionIds: ReadonlyArray<string>) {
        const open: Array<string> = []
        for (const id of sessionIds) {
          const session = yield* catalog.sessionById(id as SessionId)
          if (holdsSession(session) && isOpen(session)) open.push(id)
        }
        return open
      })

      const recordViewerSeconds = (request: Parameters<MediaControl["Service"]["accrueViewerSeconds"]>[0]) =>
        Effect.flatMap(currentTimestamp, (at) =>
          commands
            .handle(
              { _tag: "AccrueViewerSeconds", sessionId: request.sessionId, at, seconds: request.seconds },
              originMetadata(request.commandId, `media-node:${nodeId}`, at)
            )
            .pipe(
              Effect.asVoid,
              Effect.mapError((error) =>
                // A store that failed keeps the batch on the node for later; a rule the session refuses drops it.
                error._tag === "EventStoreFailed" || error._tag === "CommandConflict"
                  ? new MediaControlUnavailable({ message: error._tag })
                  : new MediaControlRefused({ message: error._tag })
              )
            )
        )

      /** Viewer seconds of a session this node holds: its players watched them here. */
      const accrueViewerSeconds = (request: Parameters<MediaControl["Service"]["accrueViewerSeconds"]>[0]) =>
        Effect.flatMap(catalog.sessionById(request.sessionId), (session) =>
          holdsSession(session)
            ? recordViewerSeconds(request)
            : Effect.fail(
                new MediaControlRefused({
                  message: `session ${request.sessionId} is not held by media node ${nodeId}`
                })
              )
        )

      return { playback, openSessions, accrueViewerSeconds, srtListeners }
    }

    return { forNode }
  })
