/**
 * Commands to an access token; the id and the secret's hash are chosen by the caller.
 */
import { Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { AccessTokenId, AccessTokenLabel, SecretHash } from "./AccessTokenValues.ts"

const target = { tokenId: AccessTokenId, at: Timestamp }

export const AccessTokenCommand = Schema.TaggedUnion({
  /** `appIds` empty: every app of the account. */
  IssueAccessToken: {
    ...target,
    accountId: AccountId,
    appIds: Schema.Array(AppId),
    label: Schema.NullOr(AccessTokenLabel),
    secretHash: SecretHash
  },
  RevokeAccessToken: { ...target }
})
export type AccessTokenCommand = typeof AccessTokenCommand.Type
