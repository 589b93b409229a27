/**
 * Events of a meeting's stream.
 */
import { Schema } from "effect"
import { AccountId, AppId, LivestreamId, MeetingId, MeetingSessionId, ParticipantId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import {
  ForwardedEngineEvent,
  MeetingStatus,
  MeetingTitle,
  ParticipantProfile,
  PeerLeaveReason
} from "./MeetingValues.ts"

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
  /** `profile`: what the engine said of the participant (absent in events logged before it was kept). */
  ParticipantJoined: {
    ...subject,
    meetingSessionId: MeetingSessionId,
    participantId: ParticipantId,
    profile: Schema.optionalKey(ParticipantProfile)
  },
  ParticipantLeft: {
    ...subject,
    meetingSessionId: MeetingSessionId,
    participantId: ParticipantId,
    reason: Schema.optionalKey(PeerLeaveReason),
    message: Schema.optionalKey(Schema.String)
  },
  /** An engine event the app is told of as received (seed 004's room, role and peer failure events). */
  EngineEventForwarded: { ...subject, forwarded: ForwardedEngineEvent },
  MeetingLivestreamStarted: { ...subject, livestreamId: LivestreamId },
  MeetingLivestreamStopped: { ...subject, livestreamId: LivestreamId }
})
export type MeetingEvent = typeof MeetingEvent.Type
