/**
 * `POST /media-nodes/v1/<operation>` on the API's server: `MediaControl` for media nodes of their own,
 * each request with the node's credential as its bearer token and a JSON body of the operation's schema.
 * The credential names the node the request acts for. Answers: 200 with `{"success": true, "data": …}`,
 * 400 naming the bad field, 401 without a valid credential, 403 before the node registered (for all but
 * `register`, `heartbeat` and `leave`), 409 a refusal (a registration while another boot holds the node,
 * viewer seconds of a session another node holds), 503 while the control plane cannot decide (the node retries), and 404 for every
 * path while no node secret is configured (the endpoints are off).
 */
import { Effect, Layer, Option, Schema, SchemaIssue } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import {
  ComposerFailedRequest,
  ConnectionRequest,
  EntitledRequest,
  KeptRecordingsRequest,
  Heartbeat,
  HealthRequest,
  LeaveRequest,
  type MediaControl,
  MediaLostRequest,
  OpenSessionsRequest,
  PlaybackRequest,
  PublishRequest,
  RecordingFailedRequest,
  RecordingReadyRequest,
  RelayFailedRequest,
  RelayRequest,
  RenditionsRefusedRequest,
  RelaysRequest,
  TranscriptFailedRequest,
  TranscriptReadyRequest,
  RecordingRequest,
  Registration,
  ViewerSecondsRequest,
  NODE_API_PATH
} from "../protocol/MediaControl.ts"
import * as NodeCredentials from "./NodeCredentials.ts"
import { NodeControl } from "./NodeControl.ts"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()
const failure = (status: number, code: string, message: string) =>
  HttpServerResponse.jsonUnsafe({ success: false, errors: [{ code, message }] }, { status })

/** One operation: the body it takes and what it answers for the node the credential names. */
interface Operation<A> {
  readonly body: Schema.Codec<A, unknown>
  readonly run: (
    control: MediaControl["Service"],
    body: A
  ) => Effect.Effect<unknown, { readonly _tag: string; readonly message: string }>
}

// biome-ignore lint/suspicious/noExplicitAny: the operations' table holds each operation with its own body type, checked where it is made
const operation = <A>(body: Schema.Codec<A, unknown>, run: Operation<A>["run"]): Operation<any> => ({ body, run })

/** The operations by path segment; `RemoteMediaControl` posts to the same names. */
// biome-ignore lint/suspicious/noExplicitAny: the operations' table holds each operation with its own body type, checked where it is made
export const OPERATIONS: Readonly<Record<string, Operation<any>>> = {
  register: operation(Registration, (control, body) => control.register(body)),
  heartbeat: operation(Heartbeat, (control, body) => control.heartbeat(body)),
  leave: operation(LeaveRequest, (control, body) => control.leave(body.bootId)),
  publish: operation(PublishRequest, (control, body) => control.publish(body)),
  "publish-done": operation(ConnectionRequest, (control, body) => control.publishDone(body.ingestId)),
  health: operation(HealthRequest, (control, body) => control.reportHealth(body.ingestId, body.health)),
  manifest: operation(ConnectionRequest, (control, body) => control.reportManifest(body.ingestId)),
  "srt-listeners": operation(Schema.Struct({}), (control) =>
    Effect.map(control.srtListeners(), (listeners) => ({ listeners }))
  ),
  composers: operation(Schema.Struct({}), (control) => Effect.map(control.composers(), (composers) => ({ composers }))),
  "composer-failed": operation(ComposerFailedRequest, (control, body) =>
    control.composerFailed(body.livestreamId, body.sessionId, body.message)
  ),
  "renditions-refused": operation(RenditionsRefusedRequest, (control, body) =>
    control.renditionsRefused(body.ingestId, body.reason, body.renditions)
  ),
  entitled: operation(EntitledRequest, (control, body) =>
    Effect.map(control.entitled(body.connections), (entitled) => ({ entitled }))
  ),
  "media-lost": operation(MediaLostRequest, (control, body) => control.mediaLost(body.bootId, body.message)),
  playback: operation(PlaybackRequest, (control, body) =>
    Effect.map(control.playback(body.livestreamId, body.withHealth), (session) => ({ session }))
  ),
  "open-sessions": operation(OpenSessionsRequest, (control, body) =>
    Effect.map(control.openSessions(body.sessionIds), (open) => ({ open }))
  ),
  "viewer-seconds": operation(ViewerSecondsRequest, (control, body) => control.accrueViewerSeconds(body)),
  "recording-finalise": operation(RecordingRequest, (control, body) => control.finaliseRecording(body.sessionId)),
  "recordings-kept": operation(KeptRecordingsRequest, (control, body) =>
    Effect.map(control.keptRecordings(body.sessionIds), (kept) => ({ kept }))
  ),
  "recording-ready": operation(RecordingReadyRequest, (control, body) =>
    control.recordingReady(body.sessionId, body.assets, body.storage)
  ),
  "recording-failed": operation(RecordingFailedRequest, (control, body) =>
    control.recordingFailed(body.sessionId, body.reason)
  ),
  "transcription-started": operation(RecordingRequest, (control, body) => control.transcriptionStarted(body.sessionId)),
  "transcription-ready": operation(TranscriptReadyRequest, (control, body) =>
    control.transcriptionReady(body.sessionId, body.assets)
  ),
  "transcription-failed": operation(TranscriptFailedRequest, (control, body) =>
    control.transcriptionFailed(body.sessionId, body.reason)
  ),
  relays: operation(RelaysRequest, (control, body) =>
    Effect.map(control.relays(body.progress), (relays) => ({ relays }))
  ),
  "relay-connected": operation(RelayRequest, (control, body) => control.relayConnected(body.targetId, body.sessionId)),
  "relay-failed": operation(RelayFailedRequest, (control, body) =>
    control.relayFailed(body.targetId, body.sessionId, body.reason)
  )
}

/**
 * What a node's credential may do before its node registered: register, and the heartbeat and leave that
 * tell a boot it holds no lease. Every other operation names a connection, session, livestream, recording
 * or relay, and acts only on those its own node holds (`NodeControl.forNode`).
 */
const UNREGISTERED: ReadonlySet<string> = new Set(["register", "heartbeat", "leave"])

/** The requests nodes send are small; a larger body is not a node's. */
const MAX_BODY_BYTES = 1024 * 1024

export const layer = Layer.unwrap(
  Effect.gen(function* () {
    const secret = yield* NodeCredentials.secretFromEnv
    const control = yield* NodeControl
    const handler = Effect.gen(function* () {
      if (Option.isNone(secret))
        return failure(404, "not_found", "media nodes of their own are off (ONAIR_MEDIA_NODE_SECRET is unset)")
      const request = yield* HttpServerRequest.HttpServerRequest
      const { operation: name } = yield* HttpRouter.params
      const op = name === undefined ? undefined : OPERATIONS[name]
      if (op === undefined) return failure(404, "not_found", `no media node operation ${name ?? ""}`)
      const bearer = /^Bearer (.+)$/.exec(request.headers["authorization"] ?? "")?.[1] ?? ""
      const nodeId = NodeCredentials.verify(secret.value, bearer)
      if (nodeId === undefined) return failure(401, "unauthorized", "a media node credential is required")
      const text = yield* Effect.orElseSucceed(request.text, () => null)
      if (text === null || text.length > MAX_BODY_BYTES) return failure(413, "too_large", "the body is too large")
      const decoded = Schema.decodeUnknownResult(Schema.fromJsonString(op.body))(text)
      if (decoded._tag === "Failure") {
        const issue = formatter(decoded.failure.issue).issues[0]
        const field = (issue?.path ?? [])
          .map((segment) => String(typeof segment === "object" ? segment.key : segment))
          .join(".")
        return failure(400, "invalid_body", `${field === "" ? "" : `${field}: `}${issue?.message ?? "invalid"}`)
      }
      if (!UNREGISTERED.has(name!) && !(yield* control.isRegistered(nodeId))) {
        return failure(403, "not_registered", `media node ${nodeId} has not registered: register first`)
      }
      return yield* op.run(control.forNode(nodeId), decoded.success).pipe(
        Effect.map((data) => HttpServerResponse.jsonUnsafe({ success: true, data: data ?? null })),
        Effect.catch((error) =>
          Effect.succeed(
            error._tag === "MediaControlRefused"
              ? failure(409, "refused", error.message)
              : failure(503, "unavailable", error.message)
          )
        )
      )
    })
    return HttpRouter.add("POST", `${NODE_API_PATH}/:operation`, handler)
  })
)
