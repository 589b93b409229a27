/**
 * API tokens: `onair_<token id>_<secret>`. The token id is public (lists, logs); the secret is 32 random
 * bytes, shown once when the token is made and stored only as its SHA-256. Tokens are an event-sourced
 * aggregate (`accessToken-<id>`); this process keeps an in-memory index of them, followed from the log,
 * so verifying a request costs a map lookup and a hash.
 */
import {
  type AccessToken,
  type AccessTokenCommand,
  AccessTokenDecider,
  type AccessTokenError,
  AccessTokenEvent,
  AccessTokenId,
  type AccessTokenState,
  type AccountId,
  type AppId,
  type AppendMetadata,
  EventStore,
  SecretHash,
  type StoredEvent,
  type Timestamp
} from "@onair/core"
import { InMemoryProjection } from "@onair/event-store"
import * as AggregateCommand from "./AggregateCommand.ts"
import { Context, Effect, Layer, Result, Schema } from "effect"
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { awaitReadModel } from "./AwaitReadModel.ts"

const STREAM_PREFIX = "accessToken-"
/** How many verified bearer strings are remembered; the oldest is forgotten first. */
const VERIFIED_CACHE_SIZE = 10_000
const TOKEN = /^onair_(tok_[A-Za-z0-9]{24})_([A-Za-z0-9_-]{43})$/

export const tokens: AggregateCommand.Aggregate<AccessTokenCommand, AccessTokenEvent, AccessTokenState, AccessTokenError> = {
  decider: AccessTokenDecider,
  events: AccessTokenEvent,
  stream: (command) => `${STREAM_PREFIX}${command.tokenId}`
}

const hashSecret = (secret: string): SecretHash => SecretHash.make(createHash("sha256").update(secret).digest("hex"))

const newTokenId = (): AccessTokenId => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
  const bytes = randomBytes(24)
  return AccessTokenId.make(`tok_${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("")}`)
}

export class TokenIndexUnreadable extends Schema.TaggedError<TokenIndexUnreadable>()("TokenIndexUnreadable", {
  eventId: Schema.String
}) {}

/** Token id to token, from the `accessToken-*` streams. */
const applyTokenEvents = (index: Map<string, AccessToken>, events: ReadonlyArray<StoredEvent>) => {
  const decode = Schema.decodeUnknownResult(AccessTokenEvent)
  for (const stored of events) {
    if (!stored.stream.startsWith(STREAM_PREFIX)) continue
    const event = decode(stored.data)
    if (Result.isFailure(event)) return Result.fail(new TokenIndexUnreadable({ eventId: stored.id }))
    const next = AccessTokenDecider.evolve(index.get(event.success.tokenId) ?? null, event.success)
    if (next !== null) index.set(next.id, next)
  }
  return Result.void
}

export interface IssuedToken {
  /** The whole token, to show once. */
  readonly token: string
  readonly accessToken: AccessToken
}

export class AccessTokens extends Context.Service<AccessTokens, {
  readonly issue: (
    request: { readonly accountId: AccountId; readonly appIds: ReadonlyArray<AppId>; readonly label: string | null },
    metadata: AppendMetadata
  ) => Effect.Effect<IssuedToken, AccessTokenError | AggregateCommand.AggregateCommandError>
  readonly revoke: (
    tokenId: AccessTokenId,
    metadata: AppendMetadata
  ) => Effect.Effect<void, AccessTokenError | AggregateCommand.AggregateCommandError>
  /**
   * The live token a bearer string names, if any. A token the index has not seen yet (made a moment ago on
   * another replica) is read from its own stream, so it works on every replica at once.
   */
  readonly verify: (bearer: string) => Effect.Effect<AccessToken | undefined>
  /** `verify` as a plain call on the index alone, for the lean read path (which falls back to `verify`). */
  readonly verifySync: (bearer: string) => AccessToken | undefined
  /** Resolves once the index includes everything the given transaction appended. */
  readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
}>()("@onair/adapters-http/AccessTokens") {
  static readonly make = Effect.gen(function*() {
    const store = yield* EventStore
    // Only the tokens' own streams are read, not the whole log.
    const projection = yield* InMemoryProjection.start(new Map<string, AccessToken>(), applyTokenEvents, {
      category: STREAM_PREFIX.replace(/-$/, "")
    })
    const run = (command: AccessTokenCommand, metadata: AppendMetadata) =>
      AggregateCommand.handle(tokens, command, metadata).pipe(
        awaitReadModel(projection),
        Effect.provideService(EventStore, store)
      )

    // Bearer strings already checked against their hash, to their token id: a repeat skips the hash. The
    // token itself is looked up every time, so a revocation takes effect at once.
    const verified = new Map<string, string>()
    /** Whether the bearer's secret is the token's. */
    const matches = (token: AccessToken, secret: string) => {
      const given = Buffer.from(hashSecret(secret), "hex")
      const stored = Buffer.from(token.secretHash, "hex")
      return given.length === stored.length && timingSafeEqual(given, stored)
    }

    const verifySync = (bearer: string): AccessToken | undefined => {
      const known = verified.get(bearer)
      if (known !== undefined) {
        const token = projection.model.get(known)
        return token === undefined || token.revokedAt !== null ? undefined : token
      }
      const match = TOKEN.exec(bearer)
      if (match === null) return undefined
      const token = projection.model.get(match[1]!)
      if (token === undefined || token.revokedAt !== null || !matches(token, match[2]!)) return undefined
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!)
      verified.set(bearer, token.id)
      return token
    }

    /** A well-formed bearer of a token the index has not seen: its own stream says whether it is live. */
    const verifyFromStream = (bearer: string) =>
      Effect.gen(function*() {
        const match = TOKEN.exec(bearer)
        if (match === null || projection.model.has(match[1]!)) return undefined
        const read = yield* store.readStream(`${STREAM_PREFIX}${match[1]!}`)
        const index = new Map<string, AccessToken>()
        if (Result.isFailure(applyTokenEvents(index, read.events))) return undefined
        const token = index.get(match[1]!)
        return token === undefined || token.revokedAt !== null || !matches(token, match[2]!) ? undefined : token
      }).pipe(Effect.orElseSucceed(() => undefined))

    return AccessTokens.of({
      issue: (request, metadata) =>
        Effect.gen(function*() {
          const tokenId = newTokenId()
          const secret = randomBytes(32).toString("base64url")
          const decided = yield* run({
            _tag: "IssueAccessToken",
            tokenId,
            at: metadata.at,
            accountId: request.accountId,
            appIds: [...request.appIds],
            label: request.label,
            secretHash: hashSecret(secret)
          }, metadata)
          if (decided.state === null) return yield* Effect.die(new Error("an issued token folded to nothing"))
          return { token: `onair_${tokenId}_${secret}`, accessToken: decided.state }
        }),
      revoke: (tokenId, metadata) =>
        Effect.asVoid(run({ _tag: "RevokeAccessToken", tokenId, at: metadata.at as Timestamp }, metadata)),
      verify: (bearer) =>
        Effect.suspend(() => {
          const token = verifySync(bearer)
          return token !== undefined ? Effect.succeed(token) : verifyFromStream(bearer)
        }),
      verifySync,
      awaitTransaction: projection.awaitTransaction
    })
  })

  static readonly layer = Layer.effect(AccessTokens, AccessTokens.make)
}
