/**
 * The token service's port for reading tokens: deployments answer it from the catalog's table (through its
 * bounded cache, kept correct by the log), so no process holds every token in memory.
 */
import type { AccessToken, AccessTokenId } from "@onair/core"
import { Context, type Effect } from "effect"

export class AccessTokenReads extends Context.Service<
  AccessTokenReads,
  {
    /** A token by id, revoked ones too, as of the read model. */
    readonly token: (id: AccessTokenId) => Effect.Effect<AccessToken | undefined>
    /** A token this process has at hand, without any I/O; undefined says nothing (look with `token`). */
    readonly cached: (id: AccessTokenId) => AccessToken | undefined
    /** Resolves once the read model includes everything the given transaction appended. */
    readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
  }
>()("@onair/application/AccessTokenReads") {}
