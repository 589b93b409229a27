import { describe, it } from "@effect/vitest"
import { IngestDecider } from "../src/ingest/IngestDecider.ts"
import type { IngestEvent } from "../src/ingest/IngestEvent.ts"
import { ingest1, livestreamId, nodeA, publisher, session1, t } from "./Fixtures.ts"
import { spec } from "./Spec.ts"

const ingest = spec(IngestDecider)
const id = { ingestId: ingest1 }
const accepted: IngestEvent = {
  _tag: "IngestAccepted",
  ...id,
  at: t(0),
  nodeId: nodeA,
  publisher,
  livestreamId,
  sessionId: session1
}
const refused = (reason: "unknown key" | "stream key disabled" | "already connected"): IngestEvent => ({
  _tag: "IngestRefused",
  ...id,
  at: t(0),
  nodeId: nodeA,
  publisher,
  livestreamId: reason === "unknown key" ? null : livestreamId,
  reason
})
const health = {
  width: 1280,
  height: 720,
  videoCodecId: "avc1.640028",
  audioCodecId: "mp4a.40.2",
  videoBitrate: 2_500_000,
  audioBitrate: 128_000,
  videoFps: 30,
  renditions: []
}
const disconnected: IngestEvent = { _tag: "IngestDisconnected", ...id, at: t(9) }

describe("Ingest decider", () => {
  describe("AcceptPublish", () => {
    it("accepts a connection for a session", () => {
      ingest
        .given()
        .when({ _tag: "AcceptPublish", ...id, at: t(0), nodeId: nodeA, publisher, livestreamId, sessionId: session1 })
        .then(accepted)
    })
    it("records how the encoder came in", () => {
      ingest
        .given()
        .when({
          _tag: "AcceptPublish",
          ...id,
          at: t(0),
          nodeId: nodeA,
          protocol: "webrtc",
          publisher,
          livestreamId,
          sessionId: session1
        })
        .then({ ...accepted, protocol: "webrtc" })
    })
    it("rejects deciding a connection twice", () => {
      ingest
        .given(accepted)
        .when({ _tag: "AcceptPublish", ...id, at: t(1), nodeId: nodeA, publisher, livestreamId, sessionId: session1 })
        .thenFails("IngestAlreadyDecided")
    })
  })

  describe("RefusePublish", () => {
    for (const reason of ["unknown key", "stream key disabled", "already connected"] as const) {
      it(`refuses with \`${reason}\``, () => {
        ingest
          .given()
          .when({
            _tag: "RefusePublish",
            ...id,
            at: t(0),
            nodeId: nodeA,
            publisher,
            livestreamId: reason === "unknown key" ? null : livestreamId,
            reason
          })
          .then(refused(reason))
      })
    }
    it("rejects refusing an accepted connection", () => {
      ingest
        .given(accepted)
        .when({
          _tag: "RefusePublish",
          ...id,
          at: t(1),
          nodeId: nodeA,
          publisher,
          livestreamId: null,
          reason: "unknown key"
        })
        .thenFails("IngestAlreadyDecided")
    })
  })

  describe("SampleHealth", () => {
    it("records a sample of a connected publisher", () => {
      ingest
        .given(accepted)
        .when({ _tag: "SampleHealth", ...id, at: t(5), health })
        .then({ _tag: "IngestHealthSampled", ...id, at: t(5), health })
    })
    it("rejects a refused connection", () => {
      ingest
        .given(refused("already connected"))
        .when({ _tag: "SampleHealth", ...id, at: t(5), health })
        .thenFails("IngestNotConnected")
    })
    it("rejects an unknown connection", () => {
      ingest
        .given()
        .when({ _tag: "SampleHealth", ...id, at: t(5), health })
        .thenFails("IngestNotFound")
    })
    it("rejects a sample older than the last change", () => {
      ingest
        .given(accepted, { _tag: "IngestHealthSampled", ...id, at: t(5), health })
        .when({ _tag: "SampleHealth", ...id, at: t(4), health })
        .thenFails("CommandOutOfOrder")
    })
  })

  describe("MarkManifestAvailable", () => {
    it("records the first playlist", () => {
      ingest
        .given(accepted)
        .when({ _tag: "MarkManifestAvailable", ...id, at: t(3) })
        .then({ _tag: "ManifestAvailable", ...id, at: t(3) })
    })
    it("records it once", () => {
      ingest
        .given(accepted, { _tag: "ManifestAvailable", ...id, at: t(3) })
        .when({ _tag: "MarkManifestAvailable", ...id, at: t(4) })
        .then()
    })
    it("rejects a disconnected connection", () => {
      ingest
        .given(accepted, disconnected)
        .when({ _tag: "MarkManifestAvailable", ...id, at: t(10) })
        .thenFails("IngestNotConnected")
    })
  })

  describe("RefuseRenditions", () => {
    const refused: IngestEvent = {
      _tag: "RenditionsRefused",
      ...id,
      at: t(3),
      reason: "no cpu budget",
      renditions: ["480p"]
    }
    it("records the node's refusal of the ladder once", () => {
      ingest
        .given(accepted)
        .when({ _tag: "RefuseRenditions", ...id, at: t(3), reason: "no cpu budget", renditions: ["480p"] })
        .then(refused)
      ingest
        .given(accepted, refused)
        .when({ _tag: "RefuseRenditions", ...id, at: t(4), reason: "no cpu budget", renditions: ["480p"] })
        .then()
    })
    it("rejects a disconnected connection", () => {
      ingest
        .given(accepted, disconnected)
        .when({ _tag: "RefuseRenditions", ...id, at: t(10), reason: "no cpu budget", renditions: [] })
        .thenFails("IngestNotConnected")
    })
  })

  describe("DisconnectIngest", () => {
    it("disconnects an accepted connection", () => {
      ingest
        .given(accepted)
        .when({ _tag: "DisconnectIngest", ...id, at: t(9) })
        .then(disconnected)
    })
    it("disconnects a refused connection (nginx reports its end too)", () => {
      ingest
        .given(refused("already connected"))
        .when({ _tag: "DisconnectIngest", ...id, at: t(9) })
        .then(disconnected)
    })
    it("rejects disconnecting twice", () => {
      ingest
        .given(accepted, disconnected)
        .when({ _tag: "DisconnectIngest", ...id, at: t(10) })
        .thenFails("IngestAlreadyDisconnected")
    })
    it("rejects an unknown connection", () => {
      ingest
        .given()
        .when({ _tag: "DisconnectIngest", ...id, at: t(10) })
        .thenFails("IngestNotFound")
    })
  })
})
