/**
 * A request's command: through the command path, with the endpoint's domain refusals turned into API
 * failures, and answered only once the catalog shows what it appended, so the read that follows sees it.
 */
import { CatalogReads } from "@onair/catalog"
import type { AppendMetadata, Signal } from "@onair/core"
import { awaitReadModel, type CommandError, CommandHandler } from "@onair/application"
import { Effect } from "effect"
import { settle } from "./Requests.ts"

export const makeRunCommand = Effect.gen(function* () {
  const commands = yield* CommandHandler
  const catalog = yield* CatalogReads
  return <F = never>(
    signal: Signal,
    metadata: AppendMetadata,
    refuse: (error: CommandError) => CommandError | F = (error) => error
  ) => commands.handle(signal, metadata).pipe(Effect.mapError(refuse), awaitReadModel(catalog), settle)
})
