/**
 * The pure pieces of recordings: byte ranges as HTTP asks them, a playlist's segments rewritten into
 * links, pocketsphinx's timed words as segments, SRT's times and cues, upload retry pauses.
 */
import { assert, describe, it } from "vitest"
import { byteRange, rewritePlaylist } from "../src/node/RecordingFiles.ts"
import { retryDelay } from "../src/node/FolderRetries.ts"
import { srtTime, toSrt } from "../src/node/TranscriptFiles.ts"
import { segmentsOfTimedWords } from "../src/node/TranscriptionEngine.ts"

describe("recording pieces", () => {
  it("answers one byte range of a file, the whole file for none or several, and nothing past its end", () => {
    assert.deepStrictEqual(byteRange("bytes=0-99", 1000), { start: 0, end: 99 })
    assert.deepStrictEqual(byteRange("bytes=900-", 1000), { start: 900, end: 999 })
    assert.deepStrictEqual(byteRange("bytes=-10", 1000), { start: 990, end: 999 })
    assert.deepStrictEqual(
      byteRange("bytes=990-5000", 1000),
      { start: 990, end: 999 },
      "an end past the file is its last byte"
    )
    assert.strictEqual(byteRange(undefined, 1000), "whole")
    assert.strictEqual(byteRange("bytes=0-1,5-6", 1000), "whole")
    assert.strictEqual(byteRange("items=0-1", 1000), "whole")
    assert.strictEqual(byteRange("bytes=1000-", 1000), "unsatisfiable")
    assert.strictEqual(byteRange("bytes=5-4", 1000), "unsatisfiable")
    assert.strictEqual(byteRange("bytes=-0", 1000), "unsatisfiable")
  })

  it("rewrites every segment line of a playlist and nothing else", () => {
    const playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\n0.ts\n#EXTINF:2.5,\n1.ts\n#EXT-X-ENDLIST\n"
    assert.strictEqual(
      rewritePlaylist(playlist, (segment) => `https://x/${segment}?sig`),
      "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\nhttps://x/0.ts?sig\n#EXTINF:2.5,\nhttps://x/1.ts?sig\n#EXT-X-ENDLIST\n"
    )
  })

  it("joins pocketsphinx's timed words into segments at pauses, leaving out fillers and pronunciation marks", () => {
    const output = [
      "<s> 0.000 0.100 1.000000",
      "hello 0.110 0.500 0.9",
      "world(2) 0.510 0.900 0.8",
      "<sil> 0.900 2.000 1.0",
      "[NOISE] 2.000 2.100 1.0",
      "again 2.200 2.600 0.7",
      "</s> 2.600 2.700 1.000000",
      "garbage line"
    ].join("\n")
    assert.deepStrictEqual(segmentsOfTimedWords(output), [
      { start: 0.11, end: 0.9, text: "hello world" },
      { start: 2.2, end: 2.6, text: "again" }
    ])
  })

  it("writes SRT cues with HH:MM:SS,mmm times, numbered from 1, empty segments left out", () => {
    assert.strictEqual(srtTime(3725.5), "01:02:05,500")
    assert.strictEqual(
      toSrt({
        text: "a b",
        words: 2,
        segments: [
          { start: 0, end: 1.25, text: "a" },
          { start: 2, end: 2.5, text: " " },
          { start: 3, end: 4, text: "b" }
        ]
      }),
      "1\n00:00:00,000 --> 00:00:01,250\na\n\n2\n00:00:03,000 --> 00:00:04,000\nb\n"
    )
  })

  it("retries uploads 1 s apart at first, doubling, capped at 30 s (5 minutes once the failure was told)", () => {
    assert.deepStrictEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(n, false)),
      [1000, 2000, 4000, 8000, 16000, 30000, 30000]
    )
    assert.strictEqual(retryDelay(20, true), 300_000)
  })
})
