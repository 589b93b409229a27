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
    this.said = new MaskedTail(options.secrets ?? [], MAX_STDERR)
    this.stopGraceMillis = options.stopGraceMillis ?? STOP_GRACE_MILLIS
    this.startedAt = Date.now()
    this.child = spawn(file, [...full], { stdio: ["ignore", "ignore", "pipe"] })
    this.child.stderr!.on("data", (chunk: Buffer) => this.said.add(String(chunk)))
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
