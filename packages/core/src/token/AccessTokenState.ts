/**
 * An access token's state, folded from its events. `null` until it is issued.
 */
import { Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { AccessTokenId, AccessTokenLabel, SecretHash } from "./AccessTokenValues.ts"

export const AccessToken = Schema.Struct({
  id: AccessTokenId,
  accountId: AccountId,
  /** Empty: every app of the account. */
  appIds: Schema.Array(AppId),
  label: Schema.NullOr(AccessTokenLabel),
  secretHash: SecretHash,
  issuedAt: Timestamp,
  revokedAt: Schema.NullOr(Timestamp)
})
export type AccessToken = typeof AccessToken.Type

export const AccessTokenState = Schema.NullOr(AccessToken)
export type AccessTokenState = typeof AccessTokenState.Type

/** Whether the token may act on this account's app: not revoked, same account, app allowed. */
export const grants = (token: AccessToken, accountId: string, appId: string): boolean =>
  token.revokedAt === null &&
  token.accountId === accountId &&
  (token.appIds.length === 0 || token.appIds.some((id) => id === appId))
