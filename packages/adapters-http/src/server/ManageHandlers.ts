/**
 * Managing a livestream: rename, reconnect window, disable, enable, rotate the key, delete. Each checks
 * that the livestream is the caller's before any command runs, and answers the livestream as it is after.
 */
import { CatalogReads } from "@onair/catalog"
import {
  type AccessToken,
  type AccountId,
  type AppId,
  type Livestream,
  type LivestreamId,
  livestreamRecord,
  type Signal,
  StreamKey,
  type Timestamp
} from "@onair/core"
import type { CommandError } from "@onair/application"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import { type Conflict, conflict, type NotFound, notFound } from "@onair/http-api"
import { authorize, metadataFor, now } from "./Requests.ts"
import { makeRunCommand } from "./RunCommand.ts"
import { LivestreamUrls } from "./LivestreamUrls.ts"

/** The domain refusals management answers: 404 for a livestream that is gone, 409 with a stable code. */
const refuse = (error: CommandError): CommandError | Conflict | NotFound => {
  switch (error._tag) {
    case "LivestreamNotFound":
      return notFound(`livestream ${error.livestreamId}`)
    case "LivestreamAlreadyDisabled":
      return conflict("already_disabled", "the livestream is already disabled")
    case "LivestreamNotDisabled":
      return conflict("not_disabled", "the livestream is not disabled")
    case "StreamKeyUnchanged":
      return conflict("stream_key_unchanged", "the new stream key is the old one")
    case "CommandOutOfOrder":
      return conflict("out_of_order", "the livestream changed after this request's time; try again")
    default:
      return error
  }
}

export interface LivestreamParams {
  readonly account_id: AccountId
  readonly app_id: AppId
  readonly livestream_id: LivestreamId
}

export const newStreamKey = (): StreamKey => StreamKey.make(randomBytes(32).toString("hex"))

export const makeManage = Effect.gen(function* () {
  const catalog = yield* CatalogReads
  const urls = yield* LivestreamUrls
  const runCommand = yield* makeRunCommand
  const run = (token: AccessToken, signal: Signal, at: Timestamp) => runCommand(signal, metadataFor(token, at), refuse)

  /**
   * Runs the signals built for the caller's livestream, in order, and answers it as it is afterwards.
   * Inputs are validated before this, so a later signal fails only if the livestream changed meanwhile.
   */
  const manage = (params: LivestreamParams, build: (at: Timestamp, livestream: Livestream) => ReadonlyArray<Signal>) =>
    Effect.gen(function* () {
      const { token, scope } = yield* authorize(params)
      const before = yield* catalog.livestream(scope, params.livestream_id)
      if (before === undefined) return yield* notFound(`livestream ${params.livestream_id}`)
      const at = yield* now
      for (const signal of build(at, before)) yield* run(token, signal, at)
      return yield* catalog.livestream(scope, params.livestream_id)
    })

  /** `manage`, answering the livestream record (or 404 once it is gone). */
  const manageRecord = (
    params: LivestreamParams,
    build: (at: Timestamp, livestream: Livestream) => ReadonlyArray<Signal>
  ) =>
    Effect.flatMap(manage(params, build), (livestream) =>
      livestream === undefined
        ? Effect.fail(notFound(`livestream ${params.livestream_id}`))
        : Effect.succeed({ success: true as const, data: livestreamRecord(livestream, urls.of(livestream)) })
    )

  return { manage, manageRecord }
})
