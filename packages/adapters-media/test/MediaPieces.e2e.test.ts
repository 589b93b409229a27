/**
 * The media adapter's pieces on their own: nginx's config as real nginx validates and runs it, the `/stat`
 * reader on a document nginx-rtmp wrote, codec ids, playlists and viewer counting.
 */
import { Effect } from "effect"
import * as Fs from "node:fs"
import { createServer } from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, it } from "vitest"
import type { SessionId } from "@onair/core"
import { defaultNginx } from "../src/node/MediaSettings.ts"
import * as NginxConfig from "../src/node/NginxConfig.ts"
import * as NginxProcess from "../src/node/NginxProcess.ts"
import * as NginxStat from "../src/node/NginxStat.ts"
import { medianKeyframeGap } from "../src/node/KeyframeIntervals.ts"
import { segmentDurations } from "../src/node/Playback.ts"
import { newestSegment } from "../src/node/Thumbnails.ts"
import { ViewerSeconds } from "../src/node/ViewerSeconds.ts"
import { ffmpegSdp, negotiated } from "../src/node/WhipSdp.ts"
import * as RenditionLadders from "../src/node/RenditionLadders.ts"
import { listenerArgs, procHidesProcesses } from "../src/node/SrtListeners.ts"

const NGINX = defaultNginx()

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const settingsIn = async (dir: string, tls: boolean): Promise<NginxConfig.NginxSettings> => {
  const certificate = tls ? await Effect.runPromise(NginxProcess.selfSignedCertificate(dir)) : null
  return {
    dir,
    moduleDir: "/usr/lib/nginx/modules",
    host: "127.0.0.1",
    rtmpPort: await freePort(),
    rtmps: certificate === null ? null : { port: await freePort(), backendPort: await freePort(), ...certificate },
    relayPort: await freePort(),
    relaySecret: "relay-secret",
    gatewayPort: await freePort(),
    srtPort: await freePort(),
    controlPort: await freePort(),
    controlSecret: "control-secret",
    callbackBase: "http://127.0.0.1:9/media/nginx/secret/run",
    hlsFragmentSeconds: 2,
    hlsPlaylistSeconds: 12,
    updateSeconds: 5,
    workerUser: process.getuid?.() === 0 ? "root" : null
  }
}

describe("nginx config", () => {
  it("is accepted by nginx -t, with and without RTMPS", async () => {
    for (const tls of [false, true]) {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-nginx-"))
      await Effect.runPromise(NginxProcess.prepare(NGINX, await settingsIn(dir, tls)))
      const config = NginxConfig.paths(dir).config
      const text = Fs.readFileSync(config, "utf8")
      assert.include(text, "on_publish http://127.0.0.1:9/media/nginx/secret/run/rtmp/publish;")
      assert.include(text, "on_publish http://127.0.0.1:9/media/nginx/secret/run/rtmps/publish;")
      assert.strictEqual(text.includes("ngx_stream_module.so"), tls)
      // The config holds secrets: owner-only, in an owner-only folder.
      assert.strictEqual(Fs.statSync(config).mode & 0o777, 0o600)
      assert.strictEqual(Fs.statSync(dir).mode & 0o777, 0o700)
      // The hls application has a loopback server of its own, fed only by the relay with its secret.
      const servers = text.split(/\n {2}server \{/).slice(1)
      const hls = servers.filter((server) => server.includes("application hls"))
      assert.strictEqual(hls.length, 1)
      assert.match(hls[0]!, /listen 127\.0\.0\.1:\d+;/)
      assert.include(hls[0]!, "on_publish http://127.0.0.1:9/media/nginx/secret/run/relay;")
      assert.isFalse(
        servers.some((server) => server.includes("application live") && server.includes("application hls"))
      )
      assert.include(text, "pageUrl=relay-secret;")
      assert.include(text, "location = /control-secret/stat")
      if (tls) assert.match(text, /proxy_protocol on;/)
      // The rtmp access log names no stream: before the redirect the name is the key.
      assert.notInclude(/log_format onair '([^']*)'/.exec(text)?.[1] ?? "", "$name")
      Fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("a config nginx refuses is reported in nginx's words", async () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-nginx-"))
    const settings = { ...(await settingsIn(dir, false)), moduleDir: "/nonexistent" }
    const exit = await Effect.runPromiseExit(NginxProcess.prepare(NGINX, settings))
    assert.isTrue(exit._tag === "Failure")
    assert.match(String(exit._tag === "Failure" ? JSON.stringify(exit.cause) : ""), /ngx_rtmp_module/)
    Fs.rmSync(dir, { recursive: true, force: true })
  })

  it("runs as a child process, answers /stat, and is gone when its scope closes", async () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-nginx-"))
    const settings = await settingsIn(dir, false)
    await Effect.runPromise(NginxProcess.prepare(NGINX, settings))
    const pid = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const started = yield* NginxProcess.start(NGINX, settings, "abcd1234")
          const xml = yield* Effect.promise(() => fetch(`${started.instance.controlUrl}/stat`).then((r) => r.text()))
          assert.include(xml, "<name>live</name>")
          // Without the secret prefix, loopback reach alone reads nothing.
          const bare = `http://127.0.0.1:${settings.controlPort}`
          for (const path of ["/stat", "/control/drop/client?app=live&name=x", "/wrong/stat"]) {
            assert.strictEqual(yield* Effect.promise(() => fetch(`${bare}${path}`).then((r) => r.status)), 404)
          }
          return started.instance.pid
        })
      )
    )
    assert.throws(() => process.kill(pid, 0))
    Fs.rmSync(dir, { recursive: true, force: true })
  })

  it("an nginx left running by an earlier OnAir is stopped before a new one starts", async () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-nginx-"))
    const settings = await settingsIn(dir, false)
    await Effect.runPromise(NginxProcess.prepare(NGINX, settings))
    const paths = NginxConfig.paths(dir)
    const { spawn } = await import("node:child_process")
    const orphan = spawn(NGINX, ["-p", dir, "-c", paths.config, "-e", paths.errorLog, "-g", "daemon off;"], {
      detached: true,
      stdio: "ignore"
    })
    const exited = new Promise((resolve) => orphan.once("exit", resolve))
    const written = () => Fs.existsSync(paths.pid) && Fs.readFileSync(paths.pid, "utf8").trim() === String(orphan.pid)
    for (let i = 0; i < 250 && !written(); i++) await new Promise((r) => setTimeout(r, 20))
    await Effect.runPromise(NginxProcess.stopLeftover(dir))
    await exited
    assert.throws(() => process.kill(orphan.pid!, 0))
    Fs.rmSync(dir, { recursive: true, force: true })
  })
})

describe("nginx /stat", () => {
  const xml = Fs.readFileSync(Path.join(import.meta.dirname, "fixtures", "stat.xml"), "utf8")

  it("reads the publish application's stream, its publisher and its health", () => {
    const [stream, ...others] = NginxStat.parse(xml)
    assert.strictEqual(others.length, 0)
    assert.strictEqual(stream!.name, "457cd69c-f53d-4b5e-bc63-7d4ec4022dfc")
    // The relay to the HLS application is a client too, but not the publisher.
    assert.strictEqual(stream!.publisherClientId, "2")
    assert.deepStrictEqual(stream!.health, {
      width: 1280,
      height: 720,
      videoCodecId: "avc1.64001f",
      audioCodecId: "mp4a.40.2",
      videoBitrate: 279_064,
      audioBitrate: 72_008,
      videoFps: 30,
      renditions: []
    })
  })

  it("reads nothing from a server without streams", () => {
    assert.deepStrictEqual(
      NginxStat.parse("<rtmp><server><application><name>live</name><live></live></application></server></rtmp>"),
      []
    )
  })

  it("spells codec ids as RFC 6381 does", () => {
    assert.strictEqual(NginxStat.avcCodecId("High", 0, "4.0"), "avc1.640028")
    assert.strictEqual(NginxStat.avcCodecId("Baseline", 192, "3.1"), "avc1.42c01f")
    assert.strictEqual(NginxStat.avcCodecId("Main", 64, "3"), "avc1.4d401e")
    assert.strictEqual(NginxStat.audioCodecId("AAC", "LC"), "mp4a.40.2")
    assert.strictEqual(NginxStat.audioCodecId("AAC", "SBR"), "mp4a.40.5")
    assert.strictEqual(NginxStat.audioCodecId("Speex", ""), "")
  })
})

describe("WHIP answers", () => {
  const answer = [
    "v=0",
    "o=- 1 0 IN IP4 0.0.0.0",
    "s=-",
    "t=0 0",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111",
    "a=rtpmap:111 opus/48000/2",
    "a=fmtp:111 minptime=10;useinbandfec=1",
    "m=video 9 UDP/TLS/RTP/SAVPF 102",
    "a=rtpmap:102 H264/90000",
    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
    ""
  ].join("\r\n")

  it("reads the agreed payload types, and ffmpeg's SDP uses them on its loopback ports", () => {
    const codecs = negotiated(answer)
    assert.deepStrictEqual(codecs, {
      video: { payloadType: 102, parameters: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f" },
      audio: { payloadType: 111, parameters: "minptime=10;useinbandfec=1" }
    })
    const sdp = ffmpegSdp(codecs, { video: 50_002, audio: 50_004 })
    assert.include(sdp, "c=IN IP4 127.0.0.1")
    assert.include(
      sdp,
      "m=video 50002 RTP/AVP 102\na=rtpmap:102 H264/90000\na=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"
    )
    assert.include(sdp, "m=audio 50004 RTP/AVP 111\na=rtpmap:111 opus/48000/2")
  })

  it("a refused section (port 0) and another codec are not agreed", () => {
    const refusedVideo = answer.replace("m=video 9", "m=video 0")
    assert.isNull(negotiated(refusedVideo).video)
    assert.isNull(negotiated(answer.replace("H264/90000", "VP8/90000")).video)
    assert.notInclude(ffmpegSdp(negotiated(refusedVideo), { video: 1, audio: 2 }), "m=video")
  })
})

describe("rendition ladders", () => {
  const hd = { width: 1280, height: 720, fps: 30 }

  it("never upscales: a rung at the source's height is the source itself, and rungs keep its aspect", () => {
    const plan = RenditionLadders.plan(["720p", "480p", "360p"], hd)!
    assert.isTrue(plan.source)
    assert.deepStrictEqual(
      plan.rungs.map((rung) => [rung.name, rung.width, rung.height]),
      [
        ["480p", 854, 480],
        ["360p", 640, 360]
      ]
    )
    assert.deepStrictEqual(RenditionLadders.variantNames(plan), ["source", "480p", "360p"])
    // Without a rung standing in for it, the source is a variant only when asked for.
    assert.isFalse(RenditionLadders.plan(["480p", "360p"], hd)!.source)
    assert.isNull(RenditionLadders.plan(["1080p", "720p"], hd))
    assert.isNull(RenditionLadders.plan(["source"], hd))
    const portrait = RenditionLadders.plan(["360p"], { width: 720, height: 1280, fps: 30 })!
    assert.deepStrictEqual([portrait.rungs[0]!.width, portrait.rungs[0]!.height], [202, 360])
  })

  it("costs the decode once and each rung's encode, by pixels per second", () => {
    const three = RenditionLadders.cost(RenditionLadders.plan(["480p", "360p", "240p"], hd)!, hd)
    const one = RenditionLadders.cost(RenditionLadders.plan(["240p"], hd)!, hd)
    assert.isAbove(three, one)
    assert.isBelow(RenditionLadders.cost(RenditionLadders.plan(["240p"], { ...hd, fps: 15 })!, { ...hd, fps: 15 }), one)
  })

  it("one muxer writes every variant, the source copied and each rung keyed where the source is", () => {
    const plan = RenditionLadders.plan(["source", "480p"], hd)!
    const args = RenditionLadders.ffmpegArgs(plan, "rtmp://127.0.0.1:1/hls/s", "/m/abr/s", {
      audio: true,
      fragmentSeconds: 2,
      playlistSeconds: 12
    })
    const text = args.join(" ")
    assert.include(text, "-c:v:0 copy")
    assert.include(text, "-c:v:1 libx264")
    assert.include(text, "-force_key_frames:v:1 source")
    assert.include(text, "[0:v]split=1[r0];[r0]scale=854:480[o0]")
    assert.include(text, "-var_stream_map v:0,a:0,name:source v:1,a:1,name:480p")
    assert.include(text, "-hls_list_size 6")
    assert.notInclude(
      RenditionLadders.ffmpegArgs(plan, "x", "/d", { audio: false, fragmentSeconds: 2, playlistSeconds: 12 }).join(" "),
      "0:a"
    )
  })

  it("reads ffmpeg's master playlist", () => {
    const master = [
      "#EXTM3U",
      "#EXT-X-VERSION:6",
      '#EXT-X-STREAM-INF:BANDWIDTH=1140800,RESOLUTION=854x480,CODECS="avc1.4d401f,mp4a.40.2"',
      "480p/index.m3u8",
      "",
      "#EXT-X-STREAM-INF:BANDWIDTH=140800",
      "source/index.m3u8",
      "",
      "#EXT-X-STREAM-INF:BANDWIDTH=1",
      "../escape/index.m3u8"
    ].join("\n")
    assert.deepStrictEqual(RenditionLadders.readMaster(master), [
      { name: "480p", bandwidth: 1_140_800, width: 854, height: 480, codecs: ["avc1.4d401f", "mp4a.40.2"] },
      { name: "source", bandwidth: 140_800, width: 0, height: 0, codecs: [] }
    ])
  })
})

describe("SRT listeners", () => {
  it("listen with the key as the passphrase and relay to nginx without re-encoding", () => {
    const args = listenerArgs("0.0.0.0", 10_000, "k".repeat(64), "rtmp://127.0.0.1:1/live/key").join(" ")
    assert.include(args, `-i srt://0.0.0.0:10000?mode=listener&passphrase=${"k".repeat(64)}&pbkeylen=16`)
    assert.include(args, "-c copy -f flv")
    assert.include(listenerArgs("::", 10_000, "k", "o").join(" "), "srt://[::]:10000")
  })

  it("know whether /proc hides other users' processes", () => {
    assert.isFalse(procHidesProcesses("proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"))
    assert.isTrue(procHidesProcesses("proc /proc proc rw,nosuid,nodev,noexec,relatime,hidepid=2 0 0\n"))
    assert.isTrue(procHidesProcesses("proc /proc proc rw,hidepid=invisible,gid=4 0 0\n"))
    assert.isFalse(procHidesProcesses("proc /other/proc proc rw,hidepid=2 0 0\n"))
  })
})

describe("keyframe intervals", () => {
  it("takes the median gap between keyframe packets of ffprobe's listing, whatever the other packets", () => {
    const listing = [
      "10.000000,K__",
      "10.033333,___",
      "12.000000,K__",
      "12.033333,___",
      "14.000000,K_",
      "16.100000,K__",
      "N/A,K__",
      ""
    ].join("\n")
    assert.strictEqual(medianKeyframeGap(listing), 2)
    assert.strictEqual(medianKeyframeGap("3.0,K__\n4.5,K__\n6.0,K__\n"), 1.5)
    assert.isUndefined(medianKeyframeGap("10.0,K__\n10.5,___\n"), "one keyframe: nothing to measure")
    assert.isUndefined(medianKeyframeGap(""))
  })
})

describe("playback and viewer seconds", () => {
  it("reads segment durations from a live playlist", () => {
    const playlist =
      "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:3\n#EXTINF:2.000,\n3.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:1.494,\n4.ts\n"
    assert.deepStrictEqual(
      [...segmentDurations(playlist)],
      [
        [3, 2],
        [4, 1.494]
      ]
    )
  })

  it("takes a live thumbnail from the newest segment a playlist names", () => {
    const playlist = "#EXTM3U\n#EXTINF:2.000,\n3.ts\n#EXTINF:2.000,\n4.ts\n"
    assert.strictEqual(newestSegment(playlist), "4.ts")
    assert.strictEqual(newestSegment("#EXTM3U\n"), undefined)
    // Only nginx's own segment names: nothing else in a playlist is read from disk.
    assert.strictEqual(newestSegment("#EXTM3U\n../../etc/passwd\n"), undefined)
  })

  it("counts each segment once per viewer, every viewer apart", () => {
    const viewers = new ViewerSeconds()
    const session = "457cd69c-f53d-4b5e-bc63-7d4ec4022dfc" as SessionId
    assert.isTrue(viewers.served(session, "a", 1, 2, 0))
    assert.isFalse(viewers.served(session, "a", 1, 2, 10))
    assert.isTrue(viewers.served(session, "a", 2, 1.5, 20))
    assert.isTrue(viewers.served(session, "b", 1, 2, 30))
    assert.strictEqual(viewers.pending(), 5.5)
    assert.strictEqual(viewers.watching(session, 30, 60_000), 2)
  })
})
