/**
 * A composed meeting's picture and page, as the start makes them: `video_config` made whole (one side
 * alone makes the other 16:9, even; neither is 1280x720), and the app's template filled in.
 */
import { assert, describe, it } from "vitest"
import { fillMeetingUrl, videoSize } from "../src/server/MeetingsHandlers.ts"

describe("a composed meeting's picture and page", () => {
  it("makes video_config whole", () => {
    assert.deepStrictEqual(videoSize({}), { width: 1280, height: 720 })
    assert.deepStrictEqual(videoSize({ width: 640 }), { width: 640, height: 360 })
    assert.deepStrictEqual(videoSize({ height: 1080 }), { width: 1920, height: 1080 })
    // 16:9 of 854 is 480.375: the nearest even height.
    assert.deepStrictEqual(videoSize({ width: 854 }), { width: 854, height: 480 })
    assert.deepStrictEqual(videoSize({ width: 720, height: 720 }), { width: 720, height: 720 })
  })

  it("fills the template's placeholders, URL-encoded", () => {
    assert.strictEqual(
      fillMeetingUrl("https://meet.example.com/rooms/{meeting_id}?ls={livestream_id}&role=recorder", "m 1", "l/2"),
      "https://meet.example.com/rooms/m%201?ls=l%2F2&role=recorder"
    )
  })
})
