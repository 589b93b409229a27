/**
 * One run of a supervised ffmpeg worker: started under a parent-death signal (`NginxProcess.command`),
 * with the tail of what it said kept (secrets masked, never logged whole), and when it exited. Stopping
 * it sends SIGTERM, then SIGKILL if it is still there after a grace period.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as NginxProcess from "./NginxProcess.ts"
import { MaskedTail } from "./SecretMask.ts"

const STOP_GRACE_MILLIS = 3_000
const MAX_STDERR = 8 * 1024

export interface FfmpegRunOptions {
  /** Masked in what it says, by whole values (`SecretMask`). */
  readonly secrets?: ReadonlyArray<string>
  /** Told once when it exits: its code (null when a signal ended it), or why it could not run. */
  readonly onExit?: (exit: { readonly code: number | null } | { readonly error: Error }) => void
  /** How long after SIGTERM it gets SIGKILL (3 s by default). */
  readonly stopGraceMillis?: number
  /** What stands for a secret in what it said (`<secret>` by default). */
  readonly mask?: string
  /** How much of what it said is kept (8 KiB by default). */
  readonly maxMessages?: number
  /** Given what it writes to its standard output (`-progress pipe:1`, say); ignored without it. */
  readonly onOutput?: (text: string) => void
  /** Given what it writes to its standard output as bytes (a muxer writing to `pipe:1`); instead of `onOutput`. */
  readonly onBytes?: (chunk: Buffer) => void
  /** Given what it writes to its file descriptors 3, 4, … (muxers writing to `pipe:3`, …), one each. */
  readonly onMoreBytes?: ReadonlyArray<(chunk: Buffer) => void>
}

export class FfmpegRun {
  private readonly child: ChildProcess
  private readonly said: MaskedTail
  private readonly stopGraceMillis: number
  /** When it started and when it exited (epoch ms; null while it runs). */
  readonly startedAt: number
  exitedAt: number | null = null

  /** Starts `ffmpeg` with `args`. */
  constructor(args: ReadonlyArray<string>, options: FfmpegRunOptions = {}) {
    const { file, args: full } = NginxProcess.command("ffmpeg", args)
    this.said = new MaskedTail(options.secrets ?? [], options.maxMessages ?? MAX_STDERR, options.mask)
    this.stopGraceMillis = options.stopGraceMillis ?? STOP_GRACE_MILLIS
    this.startedAt = Date.now()
    const onOutput = options.onOutput
    const onBytes = options.onBytes
    const piped = onOutput !== undefined || onBytes !== undefined
    const more = options.onMoreBytes ?? []
    this.child = spawn(file, [...full], {
      stdio: ["ignore", piped ? "pipe" : "ignore", "pipe", ...more.map(() => "pipe" as const)]
    })
    this.child.stderr!.on("data", (chunk: Buffer) => this.said.add(String(chunk)))
    more.forEach((onChunk, index) => {
      this.child.stdio[3 + index]?.on("data", onChunk)
    })
    if (onBytes !== undefined) this.child.stdout!.on("data", onBytes)
    else if (onOutput !== undefined) this.child.stdout!.on("data", (chunk: Buffer) => onOutput(String(chunk)))
    const exited = (exit: { readonly code: number | null } | { readonly error: Error }) => {
      if (this.exitedAt !== null) return
      this.exitedAt = Date.now()
      options.onExit?.(exit)
    }
    this.child.once("error", (error) => exited({ error }))
    this.child.once("exit", (code) => exited({ code }))
  }

  get running(): boolean {
    return this.exitedAt === null
  }

  /** The end of what it said, trimmed. */
  get messages(): string {
    return this.said.text.trim()
  }

  stop(): void {
    if (!this.running) return
    const child = this.child
    child.kill("SIGTERM")
    setTimeout(() => this.exitedAt === null && child.kill("SIGKILL"), this.stopGraceMillis).unref()
  }
}
