/** The one secret comparison: equal values only, whatever their lengths, strings or bytes. */
import { assert, describe, it } from "vitest"
import { sameSecret } from "../src/SameSecret.ts"

describe("sameSecret", () => {
  it("is true for the same value only", () => {
    assert.isTrue(sameSecret("s3cret-token", "s3cret-token"))
    assert.isTrue(sameSecret(Buffer.from("abc"), "abc"))
    assert.isFalse(sameSecret("s3cret-token", "s3cret-tokeN"))
    // A prefix, a longer value and the empty string are other values, not errors.
    assert.isFalse(sameSecret("s3cret", "s3cret-token"))
    assert.isFalse(sameSecret("s3cret-token-and-more", "s3cret-token"))
    assert.isFalse(sameSecret("", "s3cret-token"))
    assert.isTrue(sameSecret("", ""))
  })
})
