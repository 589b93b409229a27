/// <reference lib="dom" />
/**
 * Debian's Chromium (`/usr/bin/chromium`, installed by scripts/browser.sh), driven by playwright-core: no
 * browser is downloaded. The flags keep it off the network it cannot reach (the machine's notes).
 */
import * as Fs from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Path from "node:path"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll } from "vitest"
import { type MainJob, startMainJob } from "./MainJob.ts"

export const CHROMIUM = process.env["ONAIR_CHROMIUM"] ?? "/usr/bin/chromium"

/** Chromium's flags for a publisher: a fake camera and microphone, granted without asking, on loopback. */
export const FAKE_MEDIA_FLAGS = [
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  "--allow-loopback-in-peer-connection"
] as const

export const launchChromium = async (
  extraArgs: ReadonlyArray<string> = []
): Promise<{ readonly browser: Browser; readonly close: () => Promise<void> }> => {
  if (!Fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/browser.sh installs Debian's chromium`)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
      ...extraArgs
    ]
  })
  return {
    browser,
    // Playwright gives the browser a new empty profile and removes it on close.
    close: () => browser.close()
  }
}

/** Where screenshots go: `ONAIR_ARTIFACTS_DIR`, or `artifacts/` at the repository's root. */
export const artifactsDir = (): string => {
  const dir = process.env["ONAIR_ARTIFACTS_DIR"] ?? Path.resolve(import.meta.dirname, "../../../artifacts")
  const screenshots = Path.join(dir, "screenshots")
  Fs.mkdirSync(screenshots, { recursive: true })
  return screenshots
}

export interface WhipPublished {
  readonly status: number
  readonly location: string | null
  readonly body: string
  readonly state: string
}

/**
 * WHIP from `page` (a secure context: localhost): its fake camera and microphone, an offer with every
 * candidate POSTed to `url`, the answer applied, and the peer connection settled (kept as
 * `window.publisher`).
 */
export const publishOverWhip = (
  page: Page,
  url: string,
  init?: { readonly contentType?: string; readonly bearer?: string }
) =>
  page.evaluate(
    async ({ url, contentType, bearer }): Promise<WhipPublished> => {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true })
      const pc = new RTCPeerConnection()
      for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: "sendonly" })
      await pc.setLocalDescription(await pc.createOffer())
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === "complete") return resolve()
        pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && resolve())
      })
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": contentType,
          ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` })
        },
        body: pc.localDescription!.sdp
      })
      const body = await response.text()
      if (response.status !== 201) {
        pc.close()
        return { status: response.status, location: null, body, state: pc.connectionState }
      }
      await pc.setRemoteDescription({ type: "answer", sdp: body })
      await new Promise<void>((resolve) => {
        const settled = () => ["connected", "failed", "closed"].includes(pc.connectionState)
        if (settled()) return resolve()
        pc.addEventListener("connectionstatechange", () => settled() && resolve())
      })
      ;(window as unknown as { publisher: RTCPeerConnection }).publisher = pc
      return { status: response.status, location: response.headers.get("location"), body, state: pc.connectionState }
    },
    { url, contentType: init?.contentType ?? "application/sdp", bearer: init?.bearer }
  )

export interface WhepPlayed {
  readonly status: number
  readonly location: string | null
  readonly retryAfter: string | null
  readonly body: string
  readonly state: string
}

/**
 * WHEP playback in `page` with the browser's own WebRTC, as a player page does it: an offer to receive
 * video and audio with every candidate POSTed to `url`, the answer applied, the remote stream put on the
 * page's `<video>`, and the peer connection settled (kept as `window.viewer`).
 */
export const playOverWhep = (page: Page, url: string) =>
  page.evaluate(async (url): Promise<WhepPlayed> => {
    const pc = new RTCPeerConnection()
    pc.addTransceiver("video", { direction: "recvonly" })
    pc.addTransceiver("audio", { direction: "recvonly" })
    const stream = new MediaStream()
    pc.addEventListener("track", (event) => {
      stream.addTrack(event.track)
      const video = document.querySelector("video")!
      video.srcObject = stream
      void video.play().catch(() => {})
    })
    await pc.setLocalDescription(await pc.createOffer())
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === "complete") return resolve()
      pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && resolve())
    })
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/sdp" },
      body: pc.localDescription!.sdp
    })
    const body = await response.text()
    const seen = { status: response.status, retryAfter: response.headers.get("retry-after"), body }
    if (response.status !== 201) {
      pc.close()
      return { ...seen, location: null, state: pc.connectionState }
    }
    await pc.setRemoteDescription({ type: "answer", sdp: body })
    await new Promise<void>((resolve) => {
      const settled = () => ["connected", "failed", "closed"].includes(pc.connectionState)
      if (settled()) return resolve()
      pc.addEventListener("connectionstatechange", () => settled() && resolve())
    })
    ;(window as unknown as { viewer: RTCPeerConnection }).viewer = pc
    // Location is relative to the URL the offer went to (after any redirect).
    const location = response.headers.get("location")
    return {
      ...seen,
      location: location === null ? null : new URL(location, response.url).toString(),
      state: pc.connectionState
    }
  }, url)

/**
 * A page with one muted `<video>` for players under test, served on a loopback port of its own: players
 * load hls.js into it and play a livestream's `playback_url` (another origin, as a customer's site is).
 */
export const servePlayerPage = async (): Promise<{ readonly origin: string; readonly close: () => void }> => {
  const server = Http.createServer((_, response) => {
    response.writeHead(200, { "content-type": "text/html" })
    response.end("<!doctype html><title>player</title><video muted playsinline></video>")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { origin: `http://localhost:${(server.address() as AddressInfo).port}`, close: () => server.close() }
}

/** What `usePlayers` gives a test file's tests, from its `beforeAll` on. */
export interface Players {
  readonly job: MainJob
  readonly browser: Browser
  /** The player page's origin: load `${origin}/player`. */
  readonly origin: string
}

/**
 * A test file's main job (with `env`), Chromium and player page: started before its tests, stopped after
 * them. Read the fields inside the tests.
 */
export const usePlayers = (env: Record<string, string> = {}): Players => {
  const started: { job?: MainJob; browser?: Browser; origin?: string } = {}
  const stops: Array<() => unknown> = []
  beforeAll(async () => {
    started.job = await startMainJob(env)
    stops.push(() => started.job?.stop())
    // Loopback candidates: WebRTC players (WHEP) reach the node on 127.0.0.1 here.
    const chromium = await launchChromium(["--allow-loopback-in-peer-connection"])
    started.browser = chromium.browser
    stops.push(chromium.close)
    const page = await servePlayerPage()
    started.origin = page.origin
    stops.push(page.close)
  }, 90_000)
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop()
  })
  const ready = <A>(value: A | undefined, what: string): A => {
    if (value === undefined) throw new Error(`usePlayers: no ${what} before beforeAll`)
    return value
  }
  return {
    get job() {
      return ready(started.job, "main job")
    },
    get browser() {
      return ready(started.browser, "browser")
    },
    get origin() {
      return ready(started.origin, "player page")
    }
  }
}
