/**
 * One meeting composer (the seed's beam), as processes of its own in an owner-only folder:
 *
 * 1. Xvfb, a virtual screen of the broadcast's size (it picks a free display itself, `-displayfd`);
 * 2. PulseAudio with one null sink, reachable only through a socket in the folder;
 * 3. Debian's Chromium on that screen, full screen (`--kiosk`), its sound to that sink, every request
 *    through the composers' proxy (`ComposerProxy`), driven by playwright-core to open the meeting page and
 *    to see its answer: a page that does not load (a network error, or a status of 400 and up) is tried
 *    again, up to three times, then the run fails with `MAX_RETRIES_REACHED`;
 * 4. ffmpeg grabbing the screen (x11grab, 30 fps, no cursor) and the sink's monitor, encoding H.264
 *    (x264 veryfast, zero latency, a keyframe every 2 s) and AAC, publishing to the livestream's own ingest
 *    on this node, so the broadcast is decided, packaged, recorded and restreamed as any other.
 *
 * The run ends once, with a reason, when any of them exits or the browser crashes, or when it is stopped;
 * stopping it stops all four (SIGTERM, then SIGKILL) and removes its folder.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { type Browser, chromium } from "playwright-core"
import type { ComposerAssignment } from "../protocol/MediaControl.ts"
import * as NginxProcess from "./NginxProcess.ts"
import { MaskedTail } from "./SecretMask.ts"

export interface ComposerRunSettings {
  readonly chromium: string
  readonly proxyPort: number
  /** Where the livestream's ingest is, without the key: `rtmp://127.0.0.1:1935/live`. */
  readonly ingest: string
  /** The folder its own folder goes under. */
  readonly dir: string
}

/** The page did not load after its tries: the seed's `MAX_RETRIES_REACHED`. */
export class PageNeverLoaded extends Error {}

const PAGE_TRIES = 3
const PAGE_TIMEOUT_MILLIS = 20_000
const READY_MILLIS = 10_000
const STOP_GRACE_MILLIS = 3_000

/** The video bitrate for a picture: 2.5 Mb/s at 1280x720, by pixels, within 0.3 and 8 Mb/s. */
export const videoKbps = (width: number, height: number): number =>
  Math.max(300, Math.min(8000, Math.round((2500 * width * height) / (1280 * 720))))

/** ffmpeg's arguments: the screen and the sink's sound in, the livestream's ingest out. */
export const ffmpegArgs = (display: number, assignment: ComposerAssignment, output: string): ReadonlyArray<string> => {
  const kbps = videoKbps(assignment.width, assignment.height)
  return [
    ...["-nostdin", "-hide_banner", "-loglevel", "error"],
    ...["-thread_queue_size", "512", "-f", "x11grab", "-draw_mouse", "0", "-framerate", "30"],
    ...["-video_size", `${assignment.width}x${assignment.height}`, "-i", `:${display}`],
    ...["-thread_queue_size", "512", "-f", "pulse", "-i", "composer.monitor"],
    ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p"],
    ...["-g", "60", "-keyint_min", "60", "-sc_threshold", "0"],
    ...["-b:v", `${kbps}k`, "-maxrate", `${Math.round(kbps * 1.1)}k`, "-bufsize", `${kbps * 2}k`],
    ...["-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2"],
    ...["-f", "flv", "-rw_timeout", "10000000", output]
  ]
}

const wait = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/** Resolves once `file` exists, or rejects after `millis`. */
const appears = async (file: string, millis: number) => {
  const deadline = Date.now() + millis
  while (!Fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${Path.basename(file)} did not appear`)
    await wait(50)
  }
}

export class ComposerRun {
  private readonly children: Array<ChildProcess> = []
  private browser: Browser | null = null
  private endWith: (reason: string) => void = () => {}
  private endReason: string | null = null
  private readonly said: MaskedTail
  private readonly folder: string
  /** Resolves with why the run ended, once. */
  readonly ended: Promise<string>
  /** When its ffmpeg started publishing (epoch ms), or null before. */
  publishingAt: number | null = null
  readonly startedAt = Date.now()
  readonly assignment: ComposerAssignment

  constructor(assignment: ComposerAssignment, settings: ComposerRunSettings) {
    this.assignment = assignment
    this.said = new MaskedTail([assignment.streamKey], 8 * 1024)
    this.folder = Path.join(settings.dir, assignment.sessionId)
    this.ended = new Promise((resolve) => (this.endWith = resolve))
  }

  /** Why it ended, or null while it runs. */
  get endedWith(): string | null {
    return this.endReason
  }

  /** What its processes last said (the stream key masked). */
  get messages(): string {
    return this.said.text.trim()
  }

  /**
   * Starts the four, in order. Rejects with `PageNeverLoaded` when the page did not load after its tries,
   * or with another error when a process could not start; the run is stopped either way.
   */
  async start(settings: ComposerRunSettings): Promise<void> {
    try {
      Fs.rmSync(this.folder, { recursive: true, force: true })
      Fs.mkdirSync(this.folder, { recursive: true, mode: 0o700 })
      const display = await this.screen()
      const pulse = await this.sound()
      await this.page(settings, display, pulse)
      this.publish(settings, display, pulse)
    } catch (error) {
      this.stop(error instanceof Error ? error.message : String(error))
      throw error
    }
  }

  private spawn(command: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, extraFds = 0): ChildProcess {
    const { file, args: full } = NginxProcess.command(command, args)
    const child = spawn(file, [...full], {
      env,
      stdio: ["ignore", "ignore", "pipe", ...Array.from({ length: extraFds }, () => "pipe" as const)]
    })
    child.stderr?.on("data", (chunk: Buffer) => this.said.add(String(chunk)))
    child.once("error", (error) => this.stop(`${command} could not run: ${error.message}`))
    child.once("exit", (code, signal) => this.stop(`${command} exited (${code ?? signal})`))
    this.children.push(child)
    return child
  }

  /** Xvfb at the broadcast's size; the display it chose. */
  private async screen(): Promise<number> {
    const { width, height } = this.assignment
    const xvfb = this.spawn(
      "Xvfb",
      ["-displayfd", "3", "-screen", "0", `${width}x${height}x24`, "-nolisten", "tcp", "-nolisten", "unix-abstract"],
      { PATH: process.env["PATH"] ?? "" },
      1
    )
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("Xvfb did not start")), READY_MILLIS)
      let text = ""
      xvfb.stdio[3]?.on("data", (chunk: Buffer) => {
        text += String(chunk)
        const display = /^(\d+)\s/.exec(text)?.[1]
        if (display === undefined) return
        clearTimeout(timer)
        resolve(Number(display))
      })
    })
  }

  /** PulseAudio with the composer's sink; its socket. */
  private async sound(): Promise<string> {
    const socket = Path.join(this.folder, "pulse.sock")
    this.spawn(
      "pulseaudio",
      [
        ...["-n", "--daemonize=no", "--exit-idle-time=-1", "--disable-shm=yes", "--use-pid-file=no"],
        ...["-L", "module-null-sink sink_name=composer rate=48000 channels=2"],
        ...["-L", `module-native-protocol-unix socket=${socket} auth-anonymous=1`]
      ],
      {
        PATH: process.env["PATH"] ?? "",
        HOME: this.folder,
        XDG_RUNTIME_DIR: this.folder,
        XDG_CONFIG_HOME: this.folder
      }
    )
    await appears(socket, READY_MILLIS)
    return socket
  }

  /** Chromium on the screen, the meeting page open in it (tried up to three times). */
  private async page(settings: ComposerRunSettings, display: number, pulse: string): Promise<void> {
    const { width, height, meetingUrl } = this.assignment
    const browser = await chromium.launch({
      executablePath: settings.chromium,
      headless: false,
      // Chromium refuses to run as root with its sandbox: a node run as root gives it up.
      chromiumSandbox: process.getuid?.() !== 0,
      proxy: { server: `http://127.0.0.1:${settings.proxyPort}`, bypass: "<-loopback>" },
      args: [
        ...["--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"],
        ...["--disable-sync", "--autoplay-policy=no-user-gesture-required", "--hide-scrollbars"],
        ...["--kiosk", "--window-position=0,0", `--window-size=${width},${height}`, "--disable-infobars"],
        "--use-fake-ui-for-media-stream"
      ],
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: this.folder,
        DISPLAY: `:${display}`,
        PULSE_SERVER: `unix:${pulse}`
      }
    })
    this.browser = browser
    browser.on("disconnected", () => this.stop("the browser closed"))
    const context = await browser.newContext({ viewport: null })
    const page = await context.newPage()
    page.on("crash", () => this.stop("the page crashed"))
    // The page alone on the screen: no tabs, no address bar (a new context's window ignores --kiosk).
    const cdp = await context.newCDPSession(page)
    const { windowId } = await cdp.send("Browser.getWindowForTarget")
    await cdp.send("Browser.setWindowBounds", { windowId, bounds: { windowState: "fullscreen" } })
    let last = ""
    for (let attempt = 1; attempt <= PAGE_TRIES; attempt++) {
      if (this.endReason !== null) throw new Error(this.endReason)
      const answer = await page
        .goto(meetingUrl, { waitUntil: "load", timeout: PAGE_TIMEOUT_MILLIS })
        .then((response) => (response === null || response.status() < 400 ? null : `HTTP ${response.status()}`))
        .catch((error: Error) => error.message.split("\n")[0]!)
      if (answer === null) return
      last = answer
      if (attempt < PAGE_TRIES) await wait(1_000 * attempt)
    }
    throw new PageNeverLoaded(`the meeting page did not load after ${PAGE_TRIES} tries (${last.slice(0, 200)})`)
  }

  /** ffmpeg publishing the screen and its sound to the livestream's ingest. */
  private publish(settings: ComposerRunSettings, display: number, pulse: string): void {
    const output = `${settings.ingest.replace(/\/+$/, "")}/${this.assignment.streamKey}`
    this.spawn("ffmpeg", ffmpegArgs(display, this.assignment, output), {
      PATH: process.env["PATH"] ?? "",
      PULSE_SERVER: `unix:${pulse}`
    })
    this.publishingAt = Date.now()
  }

  /** Stops everything (idempotent); its folder goes too. */
  stop(reason: string): void {
    if (this.endReason !== null) return
    this.endReason = reason
    void this.browser?.close().catch(() => {})
    for (const child of this.children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue
      child.kill("SIGTERM")
      setTimeout(
        () => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"),
        STOP_GRACE_MILLIS
      ).unref()
    }
    // The processes may still hold files for a moment: the folder goes once they had time to leave.
    setTimeout(() => Fs.rm(this.folder, { recursive: true, force: true }, () => {}), STOP_GRACE_MILLIS + 500).unref()
    this.endWith(reason)
  }
}
