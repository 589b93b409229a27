/**
 * `node src/main.ts`: the main job (API on PORT, default 8787). `node src/main.ts apps …`: apps.
 * `node src/main.ts tokens …`: API tokens.
 * `node src/main.ts secrets …`: the deployment key (new key, rewrap). `node src/main.ts media-nodes …`: media
 * node credentials. `node src/main.ts read-models rebuild`: the SQL read models replayed from the log.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Observability } from "@onair/application"
import { Effect } from "effect"
import { serve } from "./Serve.ts"
import * as AppsCli from "./AppsCli.ts"
import * as MediaNodesCli from "./MediaNodesCli.ts"
import * as ReadModelsCli from "./ReadModelsCli.ts"
import * as SecretsCli from "./SecretsCli.ts"
import * as TokensCli from "./TokensCli.ts"

// Everything OnAir and its children (nginx) create is its owner's alone: data, media, logs, keys.
process.umask(0o077)

/** A command line tool: its arguments parsed (or why not), then run, printing what it answers. */
interface Cli<C> {
  readonly USAGE: string
  readonly parse: (args: ReadonlyArray<string>) => C | string
  readonly run: (command: C) => Effect.Effect<string, unknown>
}

const cli = <C>(tool: Cli<C>, args: ReadonlyArray<string>, isCommand: (parsed: C | string) => parsed is C) => {
  const parsed = tool.parse(args)
  if (!isCommand(parsed)) {
    process.stderr.write(`${String(parsed)}\n${tool.USAGE}\n`)
    process.exit(2)
  }
  NodeRuntime.runMain(
    Effect.flatMap(tool.run(parsed), (out) => Effect.sync(() => process.stdout.write(`${out}\n`))).pipe(
      // stdout carries only the answer (`TOKEN=$(onair tokens create …)`); a refusal goes to stderr, exit code 1.
      Effect.catch((error: unknown) =>
        Effect.sync(() => {
          process.stderr.write(`${describe(error)}\n`)
          process.exitCode = 1
        })
      )
    )
  )
}

const describe = (error: unknown): string =>
  typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string"
    ? [(error as { _tag?: string })._tag, (error as { message: string }).message].filter(Boolean).join(": ")
    : String(error)

const notAMessage = <C>(parsed: C | string): parsed is C => typeof parsed !== "string"
const oneOf =
  <C extends string>(...commands: ReadonlyArray<C>) =>
  (parsed: C | string): parsed is C =>
    commands.includes(parsed as C)

const [command, ...rest] = process.argv.slice(2)

if (command === undefined || command === "serve") {
  NodeRuntime.runMain(serve.pipe(Effect.provide(Observability.layer("onair-api"))))
} else if (command === "apps") {
  cli(AppsCli, rest, notAMessage)
} else if (command === "tokens") {
  cli(TokensCli, rest, notAMessage)
} else if (command === "secrets") {
  cli(SecretsCli, rest, oneOf("new-key", "rewrap"))
} else if (command === "media-nodes") {
  cli(MediaNodesCli, rest, notAMessage)
} else if (command === "read-models") {
  cli({ ...ReadModelsCli, run: () => ReadModelsCli.run }, rest, oneOf("rebuild"))
} else {
  process.stderr.write(
    `unknown command ${command}\nusage: onair [serve] | onair apps … | onair tokens … | onair secrets … | onair media-nodes … | ` +
      `onair read-models …\n${AppsCli.USAGE}\n${TokensCli.USAGE}\n${SecretsCli.USAGE}\n${MediaNodesCli.USAGE}\n${ReadModelsCli.USAGE}\n`
  )
  process.exit(2)
}
