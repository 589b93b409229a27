/**
 * Commands to a meeting: its settings, the sessions and participants the real-time media engine reports,
 * and the livestream started for it.
 */
import { Schema } from "effect"
import { AccountId, AppId, LivestreamId, MeetingId, MeetingSessionId, ParticipantId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import {
  ForwardedEngineEvent,
  LeaveMessage,
  MeetingStatus,
  MeetingTitle,
  ParticipantProfile,
  PeerLeaveReason
} from "./MeetingValues.ts"

const target = { meetingId: MeetingId, at: Timestamp }

export const MeetingCommand = Schema.TaggedUnion({
  CreateMeeting: {
    ...target,
    accountId: AccountId,
    appId: AppId,
    title: Schema.NullOr(MeetingTitle),
    liveStreamOnStart: Schema.Boolean,
    recordOnStart: Schema.Boolean
  },
  SetMeetingStatus: { ...target, status: MeetingStatus },
  OpenMeetingSession: { ...target, meetingSessionId: MeetingSessionId },
  /** `forwarded`: the engine's `room.end.success` that closed it, told to the app as received. */
  CloseMeetingSession: {
    ...target,
    meetingSessionId: MeetingSessionId,
    forwarded: Schema.optionalKey(ForwardedEngineEvent)
  },
  JoinParticipant: { ...target, participantId: ParticipantId, profile: Schema.optionalKey(ParticipantProfile) },
  LeaveParticipant: {
    ...target,
    participantId: ParticipantId,
    reason: Schema.optionalKey(PeerLeaveReason),
    message: Schema.optionalKey(LeaveMessage)
  },
  /** An engine event OnAir only tells the app of. */
  ForwardEngineEvent: { ...target, forwarded: ForwardedEngineEvent },
  StartMeetingLivestream: { ...target, livestreamId: LivestreamId },
  StopMeetingLivestream: { ...target }
})
export type MeetingCommand = typeof MeetingCommand.Type
