/**
 * Events of an access token's stream.
 */
import { Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { AccessTokenId, AccessTokenLabel, SecretHash } from "./AccessTokenValues.ts"

const subject = { tokenId: AccessTokenId, at: Timestamp }

export const AccessTokenEvent = Schema.TaggedUnion({
  AccessTokenIssued: {
    ...subject,
    accountId: AccountId,
    appIds: Schema.Array(AppId),
    label: Schema.NullOr(AccessTokenLabel),
    secretHash: SecretHash
  },
  AccessTokenRevoked: { ...subject }
})
export type AccessTokenEvent = typeof AccessTokenEvent.Type

/** The category of access token streams: a token's events are in `accessToken-<id>`. */
export const ACCESS_TOKEN_CATEGORY = "accessToken"

export const accessTokenStream = (id: string): string => `${ACCESS_TOKEN_CATEGORY}-${id}`
