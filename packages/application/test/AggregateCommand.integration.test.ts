/**
 * The command path for a stand-alone aggregate, with access tokens: decide on the folded stream, append
 * against its version, decide again after a conflict, answer a repeated command id with the first result.
 */
import {
  AccessTokenDecider,
  AccessTokenEvent,
  AccessTokenId,
  type AccessTokenCommand,
  type AccessTokenError,
  type AccessTokenState,
  AccountId,
  AppId,
  SecretHash,
  Timestamp
} from "@onair/core"
import { AggregateCommand } from "@onair/application"
import { Effect, Result } from "effect"
import { assert, describe, it } from "vitest"
import { metadata, STORE_KINDS, useStore } from "@onair/event-store/testing"

const tokens: AggregateCommand.Aggregate<AccessTokenCommand, AccessTokenEvent, AccessTokenState, AccessTokenError> = {
  decider: AccessTokenDecider,
  events: AccessTokenEvent,
  stream: (command) => `accessToken-${command.tokenId}`
}

const newTokenId = () => AccessTokenId.make(`tok_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`)
const issue = (tokenId: AccessTokenId): AccessTokenCommand => ({
  _tag: "IssueAccessToken",
  tokenId,
  at: Timestamp.make(1_790_000_000_000),
  accountId: AccountId.make("acct_1"),
  appIds: [AppId.make("app_1")],
  label: "ci",
  secretHash: SecretHash.make("b".repeat(64))
})

for (const kind of STORE_KINDS) {
  describe(`aggregate command path: ${kind}`, () => {
    const { run } = useStore(kind)

    it("issues and revokes a token, folds it back, and answers a repeat with the first result", async () => {
      const tokenId = newTokenId()
      const meta = metadata()
      const outcome = await run(
        Effect.gen(function* () {
          const issued = yield* AggregateCommand.handle(tokens, issue(tokenId), meta)
          const repeat = yield* AggregateCommand.handle(tokens, issue(tokenId), meta)
          const again = yield* Effect.flip(AggregateCommand.handle(tokens, issue(tokenId), metadata()))
          const revoked = yield* AggregateCommand.handle(
            tokens,
            { _tag: "RevokeAccessToken", tokenId, at: Timestamp.make(1_790_000_001_000) },
            metadata()
          )
          const loaded = yield* AggregateCommand.load(tokens, `accessToken-${tokenId}`)
          return { issued, repeat, again, revoked, loaded }
        })
      )
      assert.deepStrictEqual(
        outcome.issued.events.map((e) => e._tag),
        ["AccessTokenIssued"]
      )
      assert.isTrue(outcome.repeat.append?.duplicate)
      assert.deepStrictEqual(outcome.repeat.events, [])
      assert.strictEqual(outcome.again._tag, "AccessTokenAlreadyIssued")
      assert.strictEqual(outcome.revoked.state?.revokedAt, 1_790_000_001_000)
      assert.strictEqual(outcome.loaded.version, 2)
      assert.deepStrictEqual(outcome.loaded.state, outcome.revoked.state)
    })

    it("decides racing revokes again on the new state: one revokes, the others are told it is revoked", async () => {
      const tokenId = newTokenId()
      const results = await run(
        Effect.gen(function* () {
          yield* AggregateCommand.handle(tokens, issue(tokenId), metadata())
          return yield* Effect.forEach(
            Array.from({ length: 6 }),
            () =>
              Effect.result(
                AggregateCommand.handle(
                  tokens,
                  { _tag: "RevokeAccessToken", tokenId, at: Timestamp.make(1_790_000_002_000) },
                  metadata(),
                  { maxAttempts: 20 }
                )
              ),
            { concurrency: "unbounded" }
          )
        })
      )
      assert.strictEqual(results.filter(Result.isSuccess).length, 1)
      for (const result of results) {
        if (Result.isFailure(result)) assert.strictEqual(result.failure._tag, "AccessTokenAlreadyRevoked")
      }
    })
  })
}
