/**
 * A meeting's state, folded from its events. `null` until it is created.
 */
import { Schema } from "effect"
import { AccountId, AppId, LivestreamId, MeetingId, MeetingSessionId, ParticipantId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { MeetingStatus, MeetingTitle } from "./MeetingValues.ts"

export const OpenMeetingSession = Schema.Struct({
  id: MeetingSessionId,
  openedAt: Timestamp,
  participants: Schema.Array(ParticipantId)
})
export type OpenMeetingSession = typeof OpenMeetingSession.Type

export const Meeting = Schema.Struct({
  id: MeetingId,
  accountId: AccountId,
  appId: AppId,
  title: Schema.NullOr(MeetingTitle),
  status: MeetingStatus,
  liveStreamOnStart: Schema.Boolean,
  recordOnStart: Schema.Boolean,
  session: Schema.NullOr(OpenMeetingSession),
  sessionsHeld: Schema.Int,
  activeLivestreamId: Schema.NullOr(LivestreamId),
  createdAt: Timestamp,
  updatedAt: Timestamp
})
export type Meeting = typeof Meeting.Type

export const MeetingState = Schema.NullOr(Meeting)
export type MeetingState = typeof MeetingState.Type
