/**
 * Access tokens: issued once, revoked once; what a token grants.
 */
import { describe, it } from "@effect/vitest"
import { assert } from "@effect/vitest"
import { AccessTokenDecider } from "../src/token/AccessTokenDecider.ts"
import { grants } from "../src/token/AccessTokenState.ts"
import { AccessTokenId, SecretHash } from "../src/token/AccessTokenValues.ts"
import { accountId, appId, t } from "./Fixtures.ts"
import { spec } from "./Spec.ts"

const tokenId = AccessTokenId.make("tok_abcdefghijklmnopqrstuvwx")
const secretHash = SecretHash.make("a".repeat(64))
const issued = {
  _tag: "AccessTokenIssued" as const,
  tokenId,
  at: t(0),
  accountId,
  appIds: [appId],
  label: "ci",
  secretHash
}
const { given } = spec(AccessTokenDecider)

describe("AccessTokenDecider", () => {
  it("issues a token", () => {
    const state = given()
      .when({ ...issued, _tag: "IssueAccessToken" })
      .then(issued)
    assert.strictEqual(state?.revokedAt, null)
  })

  it("refuses to issue a token id twice", () => {
    given(issued)
      .when({ ...issued, _tag: "IssueAccessToken" })
      .thenFails("AccessTokenAlreadyIssued", { tokenId })
  })

  it("revokes a token once", () => {
    const state = given(issued)
      .when({ _tag: "RevokeAccessToken", tokenId, at: t(5) })
      .then({
        _tag: "AccessTokenRevoked",
        tokenId,
        at: t(5)
      })
    assert.strictEqual(state?.revokedAt, t(5))
    given(issued, { _tag: "AccessTokenRevoked", tokenId, at: t(5) })
      .when({ _tag: "RevokeAccessToken", tokenId, at: t(6) })
      .thenFails("AccessTokenAlreadyRevoked", { tokenId })
  })

  it("refuses to revoke a token that was never issued", () => {
    given()
      .when({ _tag: "RevokeAccessToken", tokenId, at: t(1) })
      .thenFails("AccessTokenNotFound", { tokenId })
  })

  it("grants its account's listed apps, every app when none is listed, nothing once revoked", () => {
    const limited = AccessTokenDecider.evolve(null, issued)!
    assert.isTrue(grants(limited, accountId, appId))
    assert.isFalse(grants(limited, accountId, "other_app"))
    assert.isFalse(grants(limited, "another_account", appId))
    const everyApp = AccessTokenDecider.evolve(null, { ...issued, appIds: [] })!
    assert.isTrue(grants(everyApp, accountId, "any_app"))
    const revoked = AccessTokenDecider.evolve(limited, { _tag: "AccessTokenRevoked", tokenId, at: t(1) })!
    assert.isFalse(grants(revoked, accountId, appId))
  })
})
