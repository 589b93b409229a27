/**
 * `MediaControl` over HTTP, for a media node of its own: each operation a POST to the control plane's
 * `NodeApi` with the node's credential. An answer that does not come within `TIMEOUT` (or a 5xx) is
 * `MediaControlUnavailable`, which the node's jobs retry; a 4xx is `MediaControlRefused`.
 *
 * Playback lookups are remembered for a second per livestream (at most `PLAYBACK_CACHE_SIZE` of them):
 * every player's playlist and segment requests ask the same question.
 */
import type { IngestId, LivestreamId, MediaNodeId } from "@onair/core"
import { Clock, Duration, Effect, Layer, Schema } from "effect"
import {
  EntitledAnswer,
  FinaliseAnswer,
  KeptRecordingsAnswer,
  HeartbeatAnswer,
  Lease,
  MediaControl,
  MediaControlRefused,
  MediaControlUnavailable,
  OpenSessionsAnswer,
  PlaybackAnswer,
  RelaysAnswer,
  SrtListenersAnswer,
  ComposersAnswer,
  type PlaybackSession,
  PublishAnswer
} from "../protocol/MediaControl.ts"
import { NODE_API_PATH } from "../protocol/MediaControl.ts"

const TIMEOUT = Duration.seconds(5)
const PLAYBACK_TTL_MILLIS = 1_000
const PLAYBACK_CACHE_SIZE = 10_000

const Envelope = Schema.Struct({ data: Schema.Unknown })

export interface RemoteSettings {
  /** The control plane's base URL, e.g. `http://api.internal:8787`. */
  readonly controlUrl: string
  readonly credential: string
  readonly nodeId: MediaNodeId
}

export const make = (settings: RemoteSettings) =>
  Effect.sync(() => {
    const base = settings.controlUrl.replace(/\/+$/, "")

    const post = <A>(operation: string, body: unknown, answer: Schema.Codec<A, unknown>) =>
      Effect.gen(function* () {
        const response = yield* Effect.tryPromise({
          try: (signal) =>
            fetch(`${base}${NODE_API_PATH}/${operation}`, {
              method: "POST",
              headers: { authorization: `Bearer ${settings.credential}`, "content-type": "application/json" },
              body: JSON.stringify(body),
              signal
            }).then(async (response) => ({ status: response.status, text: await response.text() })),
          catch: (cause) => new MediaControlUnavailable({ message: `control plane unreachable: ${String(cause)}` })
        }).pipe(
          Effect.timeoutOrElse({
            duration: TIMEOUT,
            orElse: () => Effect.fail(new MediaControlUnavailable({ message: "control plane did not answer in time" }))
          })
        )
        if (response.status >= 500 || response.status === 429) {
          return yield* new MediaControlUnavailable({
            message: `control plane answered ${response.status}: ${response.text.slice(0, 200)}`
          })
        }
        if (response.status !== 200) {
          return yield* new MediaControlRefused({
            message: `control plane answered ${response.status}: ${response.text.slice(0, 200)}`
          })
        }
        const decoded = Schema.decodeUnknownResult(Schema.fromJsonString(Envelope))(response.text)
        if (decoded._tag === "Failure")
          return yield* new MediaControlUnavailable({ message: "control plane answer unreadable" })
        const data = Schema.decodeUnknownResult(answer)(decoded.success.data)
        if (data._tag === "Failure")
          return yield* new MediaControlUnavailable({ message: `${operation}: answer unreadable` })
        return data.success
      })

    /** Operations whose answer is nothing: a refusal is logged, not retried. */
    const tell = (operation: string, body: unknown) =>
      post(operation, body, Schema.Unknown).pipe(
        Effect.asVoid,
        Effect.catchTag("MediaControlRefused", (error) =>
          Effect.logWarning(`media: ${operation} refused: ${error.message}`)
        )
      )

    const unavailableOnly = <A, R>(effect: Effect.Effect<A, MediaControlUnavailable | MediaControlRefused, R>) =>
      Effect.catchTag(effect, "MediaControlRefused", (error) =>
        Effect.fail(new MediaControlUnavailable({ message: error.message }))
      )

    const playbackCache = new Map<string, { readonly at: number; readonly session: PlaybackSession | null }>()
    const playback = (livestreamId: LivestreamId, withHealth: boolean) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const key = `${livestreamId}:${withHealth}`
        const known = playbackCache.get(key)
        if (known !== undefined && now - known.at < PLAYBACK_TTL_MILLIS) return known.session
        const { session } = yield* unavailableOnly(post("playback", { livestreamId, withHealth }, PlaybackAnswer))
        playbackCache.delete(key)
        if (playbackCache.size >= PLAYBACK_CACHE_SIZE) playbackCache.delete(playbackCache.keys().next().value!)
        playbackCache.set(key, { at: now, session })
        return session
      })

    return MediaControl.of({
      nodeId: settings.nodeId,
      register: (registration) => post("register", registration, Lease),
      heartbeat: (heartbeat) => unavailableOnly(post("heartbeat", heartbeat, HeartbeatAnswer)),
      leave: (bootId) => tell("leave", { bootId }),
      publish: (request) => unavailableOnly(post("publish", request, PublishAnswer)),
      publishDone: (ingestId: IngestId) => tell("publish-done", { ingestId }),
      reportHealth: (ingestId, health) => tell("health", { ingestId, health }),
      reportManifest: (ingestId) => tell("manifest", { ingestId }),
      srtListeners: () =>
        Effect.map(unavailableOnly(post("srt-listeners", {}, SrtListenersAnswer)), (answer) => answer.listeners),
      composers: () =>
        Effect.map(unavailableOnly(post("composers", {}, ComposersAnswer)), (answer) => answer.composers),
      composerFailed: (livestreamId, sessionId, message) =>
        tell("composer-failed", { livestreamId, sessionId, message }),
      renditionsRefused: (ingestId, reason, renditions) => tell("renditions-refused", { ingestId, reason, renditions }),
      entitled: (connections) =>
        Effect.map(unavailableOnly(post("entitled", { connections }, EntitledAnswer)), (answer) => answer.entitled),
      mediaLost: (bootId, message) => tell("media-lost", { bootId, message }),
      playback,
      openSessions: (sessionIds) =>
        Effect.map(unavailableOnly(post("open-sessions", { sessionIds }, OpenSessionsAnswer)), (answer) => answer.open),
      finaliseRecording: (sessionId) => unavailableOnly(post("recording-finalise", { sessionId }, FinaliseAnswer)),
      recordingReady: (sessionId, assets, storage) =>
        unavailableOnly(Effect.asVoid(post("recording-ready", { sessionId, assets, storage }, Schema.Unknown))),
      keptRecordings: (sessionIds) =>
        Effect.map(
          unavailableOnly(post("recordings-kept", { sessionIds }, KeptRecordingsAnswer)),
          (answer) => answer.kept
        ),
      recordingFailed: (sessionId, reason) =>
        unavailableOnly(Effect.asVoid(post("recording-failed", { sessionId, reason }, Schema.Unknown))),
      relays: (progress) =>
        Effect.map(unavailableOnly(post("relays", { progress }, RelaysAnswer)), (answer) => answer.relays),
      relayConnected: (targetId, sessionId) =>
        unavailableOnly(Effect.asVoid(post("relay-connected", { targetId, sessionId }, Schema.Unknown))),
      relayFailed: (targetId, sessionId, reason) =>
        unavailableOnly(Effect.asVoid(post("relay-failed", { targetId, sessionId, reason }, Schema.Unknown))),
      transcriptionStarted: (sessionId) =>
        unavailableOnly(Effect.asVoid(post("transcription-started", { sessionId }, Schema.Unknown))),
      transcriptionReady: (sessionId, assets) =>
        unavailableOnly(Effect.asVoid(post("transcription-ready", { sessionId, assets }, Schema.Unknown))),
      transcriptionFailed: (sessionId, reason) =>
        unavailableOnly(Effect.asVoid(post("transcription-failed", { sessionId, reason }, Schema.Unknown))),
      accrueViewerSeconds: (request) => Effect.asVoid(post("viewer-seconds", request, Schema.Unknown))
    })
  })

export const layer = (settings: RemoteSettings) => Layer.effect(MediaControl, make(settings))
