/**
 * `node src/main.ts`: the main job (API on PORT, default 8787). `node src/main.ts tokens …`: API tokens.
 * `node src/main.ts secrets …`: the deployment key (new key, rewrap). `node src/main.ts media-nodes …`: media
 * node credentials. `node src/main.ts read-models rebuild`:
 * the SQL read models replayed from the log.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { serve } from "./Serve.ts"
import * as MediaNodesCli from "./MediaNodesCli.ts"
import * as ReadModelsCli from "./ReadModelsCli.ts"
import * as SecretsCli from "./SecretsCli.ts"
import * as TokensCli from "./TokensCli.ts"

// Everything OnAir and its children (nginx) create is its owner's alone: data, media, logs, keys.
process.umask(0o077)

const [command, ...rest] = process.argv.slice(2)

if (command === undefined || command === "serve") {
  NodeRuntime.runMain(serve)
} else if (command === "tokens") {
  const parsed = TokensCli.parse(rest)
  if (typeof parsed === "string") {
    process.stderr.write(`${parsed}\n${TokensCli.USAGE}\n`)
    process.exit(2)
  }
  NodeRuntime.runMain(Effect.flatMap(TokensCli.run(parsed), (out) => Effect.sync(() => process.stdout.write(`${out}\n`))))
} else if (command === "secrets") {
  const parsed = SecretsCli.parse(rest)
  if (parsed !== "new-key" && parsed !== "rewrap") {
    process.stderr.write(`${parsed}\n${SecretsCli.USAGE}\n`)
    process.exit(2)
  }
  NodeRuntime.runMain(Effect.flatMap(SecretsCli.run(parsed), (out) => Effect.sync(() => process.stdout.write(`${out}\n`))))
} else if (command === "media-nodes") {
  const parsed = MediaNodesCli.parse(rest)
  if (typeof parsed === "string") {
    process.stderr.write(`${parsed}\n${MediaNodesCli.USAGE}\n`)
    process.exit(2)
  }
  NodeRuntime.runMain(Effect.flatMap(MediaNodesCli.run(parsed), (out) => Effect.sync(() => process.stdout.write(`${out}\n`))))
} else if (command === "read-models") {
  const parsed = ReadModelsCli.parse(rest)
  if (parsed !== "rebuild") {
    process.stderr.write(`${parsed}\n${ReadModelsCli.USAGE}\n`)
    process.exit(2)
  }
  NodeRuntime.runMain(Effect.flatMap(ReadModelsCli.run, (out) => Effect.sync(() => process.stdout.write(`${out}\n`))))
} else {
  process.stderr.write(
    `unknown command ${command}\nusage: onair [serve] | onair tokens … | onair secrets … | onair media-nodes … | ` +
      `onair read-models …\n${TokensCli.USAGE}\n${SecretsCli.USAGE}\n${MediaNodesCli.USAGE}\n${ReadModelsCli.USAGE}\n`
  )
  process.exit(2)
}
