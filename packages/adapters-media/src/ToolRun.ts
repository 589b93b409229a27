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

/** Runs `file` with `args` to its end; `maxBuffer` bounds what is kept of its output. */
export const runTool = (file: string, args: ReadonlyArray<string>, maxBuffer: number) =>
  Effect.callback<string, ToolFailed>((resume) => {
    const child = execFile(file, [...args], { maxBuffer }, (error, stdout, stderr) => {
      resume(
        error === null
          ? Effect.succeed(String(stdout))
          : Effect.fail(
              new ToolFailed({
                file,
                message: error.message,
                code: typeof error.code === "string" ? error.code : undefined,
                stderr: String(stderr)
              })
            )
      )
    })
    return Effect.sync(() => child.kill("SIGKILL"))
  })
