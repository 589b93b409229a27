/**
 * API access tokens. A token belongs to one account and may be limited to some of its apps; only a hash
 * of its secret is ever stored (the adapter hashes, the core never sees the secret).
 */
import { Schema } from "effect"

/** The public half of a token, `tok_` and 24 letters or digits: safe to log and to show in lists. */
export const AccessTokenId = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^tok_[A-Za-z0-9]{24}$/)),
  Schema.brand("AccessTokenId")
)
export type AccessTokenId = typeof AccessTokenId.Type

/** SHA-256 of the secret, lowercase hex. */
export const SecretHash = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^[0-9a-f]{64}$/)),
  Schema.brand("SecretHash")
)
export type SecretHash = typeof SecretHash.Type

/** What the token is for, as its creator named it. */
export const AccessTokenLabel = Schema.String.pipe(Schema.check(Schema.isMaxLength(200)))
