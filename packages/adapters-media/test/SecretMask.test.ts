/**
 * Secrets are masked by whole values in what ffmpeg says: a short key is not revealed by what went
 * missing from the words around it, and a key cut by a chunk or by the kept tail is still masked whole.
 */
import { assert, describe, it } from "vitest"
import { FfmpegRun } from "../src/node/FfmpegRun.ts"
import { MaskedTail, maskSecrets, secretPattern } from "../src/node/SecretMask.ts"

describe("secret masking", () => {
  it("masks whole values only, and their percent-encoded form", () => {
    const mask = (text: string, ...secrets: Array<string>) => maskSecrets(text, secretPattern(secrets))
    assert.strictEqual(mask("Name or service not known", "k"), "Name or service not known")
    assert.strictEqual(
      mask("rtmp://a.example/live2/k: Name or service not known", "k"),
      "rtmp://a.example/live2/<secret>: Name or service not known"
    )
    assert.strictEqual(mask("push to rtmp://h/app/abcd.", "abcd"), "push to rtmp://h/app/<secret>.")
    assert.strictEqual(
      mask("srt://h:1?passphrase=a%2Fb%20c&pbkeylen=16", "a/b c"),
      "srt://h:1?passphrase=<secret>&pbkeylen=16"
    )
    assert.strictEqual(mask("rtmp://h/app/key-1?gw=t0k", "key-1", "t0k"), "rtmp://h/app/<secret>?gw=<secret>")
    assert.strictEqual(mask("nothing to hide", ""), "nothing to hide")
  })

  it("masks a secret that two chunks or the tail's start cut", () => {
    const tail = new MaskedTail(["s3cr3t-key"], 20)
    tail.add("opening rtmp://h/app/s3cr")
    tail.add("3t-key failed")
    assert.notInclude(tail.text, "3t-key")
    assert.include(tail.text, "<secret> failed")
    assert.isAtMost(tail.text.length, 20)
  })

  it("a short key is masked in ffmpeg's own words without giving itself away", async () => {
    let run: FfmpegRun | undefined
    await new Promise<void>((resolve) => {
      run = new FfmpegRun(["-hide_banner", "-i", "/nonexistent/o"], { secrets: ["o"], onExit: () => resolve() })
    })
    assert.include(run!.messages, "/nonexistent/<secret>")
    assert.include(run!.messages, "No such file or directory")
  })
})
