/**
 * One error per rule an access-token command can break.
 */
import { Schema } from "effect"
import { AccessTokenId } from "./AccessTokenValues.ts"

export class AccessTokenAlreadyIssued extends Schema.TaggedError<AccessTokenAlreadyIssued>()(
  "AccessTokenAlreadyIssued",
  { tokenId: AccessTokenId }
) {}

export class AccessTokenNotFound extends Schema.TaggedError<AccessTokenNotFound>()("AccessTokenNotFound", {
  tokenId: AccessTokenId
}) {}

export class AccessTokenAlreadyRevoked extends Schema.TaggedError<AccessTokenAlreadyRevoked>()(
  "AccessTokenAlreadyRevoked",
  { tokenId: AccessTokenId }
) {}

export type AccessTokenError = AccessTokenAlreadyIssued | AccessTokenNotFound | AccessTokenAlreadyRevoked
