/**
 * Media nodes: a boot registers, a restart replaces its boot, a missed lease loses the current boot only,
 * and draining is the operator's until resumed.
 */
import { assert, describe, it } from "@effect/vitest"
import { MediaNodeDecider } from "../src/node/MediaNodeDecider.ts"
import type { MediaNodeEvent } from "../src/node/MediaNodeEvent.ts"
import { mediaNodeStatus } from "../src/node/MediaNodeState.ts"
import { nodeA, t } from "./Fixtures.ts"
import { spec } from "./Spec.ts"

const addresses = { rtmp: "rtmp://media-a:1935/live", rtmps: null, playback: "http://media-a:8080/hls" }
const registration = { nodeId: nodeA, addresses, capacity: 50, region: "eu-west" }
const registered = (bootId: string, at: number, replacedBootId: string | null = null): MediaNodeEvent => ({
  _tag: "MediaNodeRegistered",
  ...registration,
  at: t(at),
  bootId,
  replacedBootId
})
const { given } = spec(MediaNodeDecider)

describe("MediaNodeDecider", () => {
  it("registers a node's first boot", () => {
    const state = given()
      .when({ _tag: "RegisterMediaNode", ...registration, at: t(0), bootId: "boot-one1" })
      .then(registered("boot-one1", 0))
    assert.strictEqual(state === null ? null : mediaNodeStatus(state), "active")
  })

  it("a restart names the boot it replaces, so that boot's publishers can be ended", () => {
    given(registered("boot-one1", 0))
      .when({ _tag: "RegisterMediaNode", ...registration, at: t(5), bootId: "boot-two2" })
      .then(registered("boot-two2", 5, "boot-one1"))
  })

  it("a boot registering again (a retried request) changes nothing", () => {
    given(registered("boot-one1", 0))
      .when({ _tag: "RegisterMediaNode", ...registration, at: t(1), bootId: "boot-one1" })
      .then()
  })

  it("a boot that was declared lost replaces nothing when the node comes back", () => {
    given(registered("boot-one1", 0), { _tag: "MediaNodeLost", nodeId: nodeA, at: t(12), bootId: "boot-one1" })
      .when({ _tag: "RegisterMediaNode", ...registration, at: t(20), bootId: "boot-two2" })
      .then(registered("boot-two2", 20))
  })

  it("declares the current boot lost once", () => {
    const state = given(registered("boot-one1", 0))
      .when({ _tag: "DeclareMediaNodeLost", nodeId: nodeA, at: t(12), bootId: "boot-one1" })
      .then({ _tag: "MediaNodeLost", nodeId: nodeA, at: t(12), bootId: "boot-one1" })
    assert.strictEqual(state === null ? null : mediaNodeStatus(state), "lost")
    given(registered("boot-one1", 0), { _tag: "MediaNodeLost", nodeId: nodeA, at: t(12), bootId: "boot-one1" })
      .when({ _tag: "DeclareMediaNodeLost", nodeId: nodeA, at: t(13), bootId: "boot-one1" })
      .thenFails("MediaNodeAlreadyLost", { nodeId: nodeA })
  })

  it("never declares a newer boot lost for an old boot's missed lease", () => {
    given(registered("boot-one1", 0), registered("boot-two2", 5, "boot-one1"))
      .when({ _tag: "DeclareMediaNodeLost", nodeId: nodeA, at: t(12), bootId: "boot-one1" })
      .thenFails("MediaNodeBootReplaced", { nodeId: nodeA, bootId: "boot-one1" })
  })

  it("draining outlives a restart until the operator resumes the node", () => {
    const drained = given(
      registered("boot-one1", 0),
      { _tag: "MediaNodeDrained", nodeId: nodeA, at: t(1) },
      registered("boot-two2", 5, "boot-one1")
    )
      .when({ _tag: "DrainMediaNode", nodeId: nodeA, at: t(6) })
      .then()
    assert.strictEqual(drained === null ? null : mediaNodeStatus(drained), "draining")
    given(registered("boot-one1", 0), { _tag: "MediaNodeDrained", nodeId: nodeA, at: t(1) })
      .when({ _tag: "ResumeMediaNode", nodeId: nodeA, at: t(6) })
      .then({ _tag: "MediaNodeResumed", nodeId: nodeA, at: t(6) })
  })

  it("refuses to drain a node that never registered", () => {
    given()
      .when({ _tag: "DrainMediaNode", nodeId: nodeA, at: t(1) })
      .thenFails("MediaNodeNotFound", { nodeId: nodeA })
  })
})
