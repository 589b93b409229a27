/**
 * Value types of a meeting, in the meetings API's shapes.
 */
import { Schema } from "effect"

export const MeetingStatus = Schema.Literals(["ACTIVE", "INACTIVE"])
export type MeetingStatus = typeof MeetingStatus.Type

export const MeetingTitle = Schema.String.pipe(Schema.check(Schema.isMaxLength(256)))
