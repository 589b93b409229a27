/**
 * `node src/main.ts`: the main job (API on PORT, default 8787). `node src/main.ts tokens …`: API tokens.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { serve } from "./Serve.ts"
import * as TokensCli from "./TokensCli.ts"

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
} else {
  process.stderr.write(`unknown command ${command}\nusage: onair [serve] | onair tokens …\n${TokensCli.USAGE}\n`)
  process.exit(2)
}
