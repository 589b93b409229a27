/**
 * An app's settings for its recordings.
 */
import { Schema } from "effect"

/** Days a recording is kept before retention deletes it; null: kept until its owner deletes it. */
export const RetentionDays = Schema.NullOr(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 36_500 }))))
export type RetentionDays = typeof RetentionDays.Type
