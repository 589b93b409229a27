/**
 * A program the node runs to its end (ffmpeg, ffprobe, pocketsphinx): its standard output, or why it
 * failed (its error and what it printed on standard error), killed with SIGKILL when the run is
 * interrupted. Each caller names its own failure from these.
 */
import { Data, Effect } from "effect"
import { execFile } from "node:child_process"

export class ToolFailed extends Data.TaggedError("ToolFailed")<{
  readonly file: string
  /** The error's message (a non-zero exit, a signal, a program that is not there). */
  readonly message: string
  /** `ENOENT` when the program is not installed; undefined otherwise. */
  readonly code: string | undefined
  readonly stderr: string
}> {}

/** How a run's output is kept: `maxBuffer` bounds it; past `timeoutMillis` the program is killed. */
export interface ToolOptions {
  readonly maxBuffer: number
  readonly timeoutMillis?: number
}

const run = <A>(file: string, args: ReadonlyArray<string>, options: ToolOptions, binary: boolean) =>
  Effect.callback<A, ToolFailed>((resume) => {
    const child = execFile(
      file,
      [...args],
      {
        maxBuffer: options.maxBuffer,
        encoding: binary ? "buffer" : "utf8",
        ...(options.timeoutMillis === undefined ? {} : { timeout: options.timeoutMillis })
      },
      (error, stdout, stderr) => {
        resume(
          error === null
            ? Effect.succeed((binary ? new Uint8Array(stdout as Buffer) : String(stdout)) as A)
            : Effect.fail(
                new ToolFailed({
                  file,
                  message: error.message,
                  code: typeof error.code === "string" ? error.code : undefined,
                  stderr: String(stderr)
                })
              )
        )
      }
    )
    return Effect.sync(() => child.kill("SIGKILL"))
  })

/** Runs `file` with `args` to its end: its standard output as text; `maxBuffer` bounds what is kept. */
export const runTool = (file: string, args: ReadonlyArray<string>, maxBuffer: number) =>
  run<string>(file, args, { maxBuffer }, false)

/** Runs `file` with `args` to its end: its standard output as bytes (an image, say). */
export const runToolBytes = (file: string, args: ReadonlyArray<string>, options: ToolOptions) =>
  run<Uint8Array>(file, args, options, true)
