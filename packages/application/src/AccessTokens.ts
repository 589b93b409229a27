/**
 * API tokens: `onair_<token id>_<secret>`. The token id is public (lists, logs); the secret is 32 random
 * bytes, shown once when the token is made and stored only as its SHA-256. Tokens are an event-sourced
 * aggregate (`accessToken-<id>`), read through `AccessTokenReads` (the catalog's table and its bounded
 * cache), so verifying a repeat request costs a map lookup and no hash.
 */
import { sameSecret } from "@onair/secrets"
import {
  type AccessToken,
  type AccessTokenCommand,
  AccessTokenDecider,
  type AccessTokenError,
  AccessTokenEvent,
  AccessTokenId,
  accessTokenStream,
  type AccessTokenState,
  type AccountId,
  type AppId,
  type AppendMetadata,
  EventStore,
  SecretHash,
  type Timestamp
} from "@onair/core"
import * as AggregateCommand from "./AggregateCommand.ts"
import { Context, Effect, Layer } from "effect"
import { createHash, randomBytes } from "node:crypto"
import { AccessTokenReads } from "./AccessTokenReads.ts"
import { awaitReadModel } from "./AwaitReadModel.ts"

/** How many verified bearer strings are remembered; the oldest is forgotten first. */
const VERIFIED_CACHE_SIZE = 10_000
const TOKEN = /^onair_(tok_[A-Za-z0-9]{24})_([A-Za-z0-9_-]{43})$/

export const tokens: AggregateCommand.Aggregate<
  AccessTokenCommand,
  AccessTokenEvent,
  AccessTokenState,
  AccessTokenError
> = {
  decider: AccessTokenDecider,
  events: AccessTokenEvent,
  stream: (command) => accessTokenStream(command.tokenId)
}

const hashSecret = (secret: string): SecretHash => SecretHash.make(createHash("sha256").update(secret).digest("hex"))

const newTokenId = (): AccessTokenId => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
  const bytes = randomBytes(24)
  return AccessTokenId.make(`tok_${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("")}`)
}

/** A read model that has everything at once: the position is recorded for the answer, nothing waits. */
const WRITTEN_ONLY = { awaitTransaction: (_transaction: number) => Effect.void }

export interface IssuedToken {
  /** The whole token, to show once. */
  readonly token: string
  readonly accessToken: AccessToken
}

export class AccessTokens extends Context.Service<
  AccessTokens,
  {
    readonly issue: (
      request: { readonly accountId: AccountId; readonly appIds: ReadonlyArray<AppId>; readonly label: string | null },
      metadata: AppendMetadata
    ) => Effect.Effect<IssuedToken, AccessTokenError | AggregateCommand.AggregateCommandError>
    readonly revoke: (
      tokenId: AccessTokenId,
      metadata: AppendMetadata
    ) => Effect.Effect<void, AccessTokenError | AggregateCommand.AggregateCommandError>
    /**
     * The live token a bearer string names, if any. A token the read model has not taken in yet (made a
     * moment ago on another replica) is read from its own stream, so it works on every replica at once.
     */
    readonly verify: (bearer: string) => Effect.Effect<AccessToken | undefined>
    /**
     * `verify` as a plain call on the tokens at hand alone, for the lean read path: undefined when the token
     * is not at hand too (that path then falls back to `verify`).
     */
    readonly verifySync: (bearer: string) => AccessToken | undefined
  }
>()("@onair/adapters-http/AccessTokens") {
  static readonly make = Effect.gen(function* () {
    const store = yield* EventStore
    const reads = yield* AccessTokenReads
    /**
     * A revocation is answered once the read model has it, so no replica lets the token in after the
     * answer. A new token needs no wait (a token the read model does not have yet is read from its
     * stream): its answer does not wait behind whatever the catalog has still to take in.
     */
    const run = (command: AccessTokenCommand, metadata: AppendMetadata) =>
      AggregateCommand.handle(tokens, command, metadata).pipe(
        awaitReadModel(command._tag === "RevokeAccessToken" ? reads : WRITTEN_ONLY),
        Effect.provideService(EventStore, store)
      )

    // Bearer strings already checked against their hash, to their token id: a repeat skips the hash. The
    // token itself is looked up every time, so a revocation takes effect at once.
    const verified = new Map<string, string>()
    /** Whether the bearer's secret is the token's. */
    const matches = (token: AccessToken, secret: string) => {
      return sameSecret(hashSecret(secret), token.secretHash)
    }
    const remember = (bearer: string, token: AccessToken) => {
      if (verified.has(bearer)) return
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!)
      verified.set(bearer, token.id)
    }
    /** The live token the bearer names, given the token its id names (undefined: none). */
    const check = (bearer: string, secret: string, token: AccessToken | undefined) => {
      if (token === undefined || token.revokedAt !== null) return undefined
      if (verified.get(bearer) !== token.id) {
        if (!matches(token, secret)) return undefined
        remember(bearer, token)
      }
      return token
    }

    const verifySync = (bearer: string): AccessToken | undefined => {
      // A bearer checked before names its token already: no parsing, no hash.
      const known = verified.get(bearer)
      if (known !== undefined) {
        const token = reads.cached(known as AccessTokenId)
        return token === undefined || token.revokedAt !== null ? undefined : token
      }
      const match = TOKEN.exec(bearer)
      if (match === null) return undefined
      return check(bearer, match[2]!, reads.cached(AccessTokenId.make(match[1]!)))
    }

    /**
     * A token the read model has not taken in yet (made a moment ago, perhaps on another replica): its own
     * stream says whether it is live.
     */
    const fromStream = (id: string) =>
      AggregateCommand.load(tokens, accessTokenStream(id)).pipe(
        Effect.map(({ state }) => state ?? undefined),
        Effect.provideService(EventStore, store),
        Effect.orElseSucceed(() => undefined)
      )

    const verify = (bearer: string) =>
      Effect.suspend(() => {
        const match = TOKEN.exec(bearer)
        if (match === null) return Effect.succeed(undefined)
        const id = AccessTokenId.make(match[1]!)
        return Effect.map(
          Effect.flatMap(reads.token(id), (token) => (token === undefined ? fromStream(id) : Effect.succeed(token))),
          (token) => check(bearer, match[2]!, token)
        )
      })

    return AccessTokens.of({
      issue: (request, metadata) =>
        Effect.gen(function* () {
          const tokenId = newTokenId()
          const secret = randomBytes(32).toString("base64url")
          const decided = yield* run(
            {
              _tag: "IssueAccessToken",
              tokenId,
              at: metadata.at,
              accountId: request.accountId,
              appIds: [...request.appIds],
              label: request.label,
              secretHash: hashSecret(secret)
            },
            metadata
          )
          if (decided.state === null) return yield* Effect.die(new Error("an issued token folded to nothing"))
          return { token: `onair_${tokenId}_${secret}`, accessToken: decided.state }
        }),
      revoke: (tokenId, metadata) =>
        Effect.asVoid(run({ _tag: "RevokeAccessToken", tokenId, at: metadata.at as Timestamp }, metadata)),
      verify,
      verifySync
    })
  })

  static readonly layer = Layer.effect(AccessTokens, AccessTokens.make)
}
