/**
 * What an engine's event means to OnAir, before anything is applied: types OnAir has no use for are
 * ignored whatever they hold; the seed's values are held (a case-only difference spelled as the seed
 * spells it, anything else a 400 naming the field); forwarded events keep the fields the seed lists, each
 * bounded; a participant's profile and a leave's reason are kept.
 */
import { SEED_WEBHOOK_SAMPLES, Timestamp } from "@onair/core"
import { assert, describe, it } from "vitest"
import { signalOf } from "../src/InboundSignal.ts"

const at = Timestamp.make(Date.UTC(2026, 11, 8))
const room = "3fd739f4-3c41-456e-bfba-6ebd51e16d2d"
const envelope = (type: string, data: Record<string, unknown>) => ({
  version: "2.0",
  id: "evt-1",
  timestamp: "2026-12-08T00:00:00Z",
  type,
  data: { room_id: room, session_id: "rtc-1", ...data } as never
})
const sample = (section: string) =>
  SEED_WEBHOOK_SAMPLES.find((s) => s.section === section)!.event["data"] as Record<string, unknown>

describe("an engine event's meaning", () => {
  it("ignores a type OnAir has no use for, whatever it holds", () => {
    assert.deepStrictEqual(signalOf(envelope("track.recording.success", { room_id: "not a meeting" }), at), {
      _tag: "Ignored",
      type: "track.recording.success"
    })
  })

  it("forwards the seed's fields alone, spelled as the seed spells its values, each bounded", () => {
    const forwarded = signalOf(
      envelope("peer.leave.failure", { ...sample("peer.leave.failure"), room_id: room, extra: "x" }),
      at
    )
    assert.strictEqual(forwarded._tag, "ForwardEngineEvent")
    if (forwarded._tag !== "ForwardEngineEvent") return
    assert.strictEqual(forwarded.forwarded.data["error_message"], "peer not joined", "the seed's spelling")
    assert.notProperty(forwarded.forwarded.data, "extra")
    assert.deepInclude(signalOf(envelope("role.change.failure", { role: "r".repeat(4097) }), at), {
      _tag: "Invalid",
      field: "data.role"
    })
    assert.deepInclude(signalOf(envelope("peer.join.failure", { error_message: "something else" }), at), {
      _tag: "Invalid",
      field: "data.error_message"
    })
    assert.deepInclude(signalOf(envelope("room.end.failure", { error_code: "404" }), at), {
      _tag: "Invalid",
      field: "data.error_code"
    })
  })

  it("keeps a participant's profile as it joins and the reason it leaves", () => {
    const joined = signalOf(
      envelope("peer.join.success", {
        peer_id: "p-1",
        user_id: "u-1",
        user_name: "Ada",
        user_data: '{"seat":4}',
        role: "host",
        type: "sip"
      }),
      at
    )
    assert.deepInclude(joined, {
      _tag: "JoinParticipant",
      profile: { userId: "u-1", name: "Ada", data: '{"seat":4}', role: "host", type: "sip" }
    })
    assert.deepInclude(signalOf(envelope("peer.join.success", { peer_id: "p-1", type: "bot" }), at), {
      _tag: "Invalid",
      field: "data.type"
    })
    assert.deepInclude(
      signalOf(envelope("peer.leave.success", { peer_id: "p-1", reason: "Peer Kicked", message: "bye" }), at),
      { _tag: "LeaveParticipant", reason: "peer kicked", message: "bye" }
    )
  })

  it("closes the session at the room's end, and forwards it", () => {
    const ended = signalOf(envelope("room.end.success", { reason: "End Room by admin", source: "peer" }), at)
    assert.strictEqual(ended._tag, "CloseMeetingSession")
    if (ended._tag !== "CloseMeetingSession") return
    assert.strictEqual(ended.meetingSessionId, "rtc-1")
    assert.strictEqual(ended.forwarded?.type, "room.end.success")
  })
})
