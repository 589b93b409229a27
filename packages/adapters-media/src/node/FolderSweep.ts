/**
 * Removes a node's per-session folders the control plane no longer needs kept: every folder under `dir`
 * whose name matches, untouched for `graceMillis`, asked about in batches (`kept` answers which stay).
 * A folder that goes away meanwhile, or a control plane that does not answer, only ends this round.
 */
import { Clock, Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import type { MediaControlUnavailable } from "../protocol/MediaControl.ts"

/** Folders asked about at once. */
const BATCH = 1_000

export const sweepFolders = <R>(options: {
  readonly dir: string
  readonly name: RegExp
  readonly graceMillis: number
  readonly kept: (names: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>, MediaControlUnavailable, R>
  /** What the log calls this sweep. */
  readonly what: string
}) =>
  Effect.gen(function* () {
    const at = yield* Clock.currentTimeMillis
    const fs = <A>(step: () => A) => Effect.try({ try: step, catch: (cause) => new Error(String(cause)) })
    const names = yield* fs(() =>
      Fs.existsSync(options.dir) ? Fs.readdirSync(options.dir).filter((name) => options.name.test(name)) : []
    )
    const old = yield* fs(() =>
      names.filter((name) => at - Fs.statSync(Path.join(options.dir, name)).mtimeMs >= options.graceMillis)
    )
    for (let start = 0; start < old.length; start += BATCH) {
      const batch = old.slice(start, start + BATCH)
      const kept = new Set(yield* options.kept(batch))
      for (const name of batch) {
        if (!kept.has(name)) yield* fs(() => Fs.rmSync(Path.join(options.dir, name), { recursive: true, force: true }))
      }
    }
  }).pipe(Effect.catch((error) => Effect.logWarning(`media: ${options.what} not swept this round: ${error.message}`)))
