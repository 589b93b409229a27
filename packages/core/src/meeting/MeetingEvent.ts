/**
 * Events of a meeting's stream.
 */
import { Schema } from "effect"
import { AccountId, AppId, LivestreamId, MeetingId, MeetingSessionId, ParticipantId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { MeetingStatus, MeetingTitle } from "./MeetingValues.ts"

const subject = { meetingId: MeetingId, at: Timestamp }

export const MeetingEvent = Schema.TaggedUnion({
  MeetingCreated: {
    ...subject,
    accountId: AccountId,
    appId: AppId,
    title: Schema.NullOr(MeetingTitle),
    liveStreamOnStart: Schema.Boolean,
    recordOnStart: Schema.Boolean
  },
  MeetingStatusChanged: { ...subject, status: MeetingStatus },
  MeetingSessionOpened: { ...subject, meetingSessionId: MeetingSessionId },
  /** Participants still present when a session closes leave with it. */
  MeetingSessionClosed: { ...subject, meetingSessionId: MeetingSessionId, openedAt: Timestamp },
  ParticipantJoined: { ...subject, meetingSessionId: MeetingSessionId, participantId: ParticipantId },
  ParticipantLeft: { ...subject, meetingSessionId: MeetingSessionId, participantId: ParticipantId },
  MeetingLivestreamStarted: { ...subject, livestreamId: LivestreamId },
  MeetingLivestreamStopped: { ...subject, livestreamId: LivestreamId }
})
export type MeetingEvent = typeof MeetingEvent.Type
