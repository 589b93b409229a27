/**
 * How a node's reports become signals on the command path: stamped when they arrive, and stamped again
 * when refused as out of order, no earlier than the aggregate's last change. Two reports arriving together
 * (an end and a health report) may be appended in the other order, or stamped by another API process whose
 * clock is behind, and what the node reports happened all the same (an end refused for its time would
 * leave its session open for good).
 */
import { awaitReadModel, CommandHandler, currentTimestamp, type Handled } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { type IngestSignal, type MediaNodeId, originMetadata, Timestamp } from "@onair/core"
import { Effect } from "effect"

/** How often one signal is stamped again after being refused as out of order. */
const RESTAMPS = 3

export interface NodeSignals {
  /**
   * Sends a signal; what it decided, or undefined when it was not recorded (a refusal named in `expected`
   * quietly, any other with a warning).
   */
  readonly record: (
    nodeId: MediaNodeId,
    signal: IngestSignal,
    commandId: string,
    expected?: ReadonlyArray<string>
  ) => Effect.Effect<Handled | undefined>
  /** Sends a signal and waits until the catalog has it; false when it was not recorded. */
  readonly send: (
    nodeId: MediaNodeId,
    signal: IngestSignal,
    commandId: string,
    expected?: ReadonlyArray<string>
  ) => Effect.Effect<boolean>
}

export const make = Effect.gen(function* () {
  const commands = yield* CommandHandler
  const catalog = yield* CatalogReads

  const record = (
    nodeId: MediaNodeId,
    signal: IngestSignal,
    commandId: string,
    expected: ReadonlyArray<string> = [],
    restamps = RESTAMPS
  ): Effect.Effect<Handled | undefined> =>
    commands.handle(signal, originMetadata(commandId, `media-node:${nodeId}`, signal.at)).pipe(
      Effect.catchTag("CommandOutOfOrder", (error) =>
        restamps === 0
          ? Effect.fail(error)
          : Effect.flatMap(currentTimestamp, (now) =>
              record(
                nodeId,
                { ...signal, at: Timestamp.make(Math.max(now, error.lastChangedAt)) },
                commandId,
                expected,
                restamps - 1
              )
            )
      ),
      Effect.catch((error) =>
        expected.includes(error._tag)
          ? Effect.succeed(undefined)
          : Effect.as(
              Effect.logWarning(`media: ${signal._tag} of ${signal.ingestId} not recorded: ${error._tag}`),
              undefined
            )
      )
    )

  const send: NodeSignals["send"] = (nodeId, signal, commandId, expected = []) =>
    Effect.flatMap(record(nodeId, signal, commandId, expected), (handled) =>
      handled === undefined ? Effect.succeed(false) : Effect.as(awaitReadModel(catalog)(Effect.succeed(handled)), true)
    )

  // Its restamps are its own: the interface leaves them out.
  return { record, send } satisfies NodeSignals
})
