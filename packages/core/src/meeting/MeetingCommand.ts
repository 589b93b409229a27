/**
 * Commands to a meeting: its settings, the sessions and participants the real-time media engine reports,
 * and the livestream started for it.
 */
import { Schema } from "effect"
import { AccountId, AppId, LivestreamId, MeetingId, MeetingSessionId, ParticipantId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { MeetingStatus, MeetingTitle } from "./MeetingValues.ts"

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
  CloseMeetingSession: { ...target, meetingSessionId: MeetingSessionId },
  JoinParticipant: { ...target, participantId: ParticipantId },
  LeaveParticipant: { ...target, participantId: ParticipantId },
  StartMeetingLivestream: { ...target, livestreamId: LivestreamId },
  StopMeetingLivestream: { ...target }
})
export type MeetingCommand = typeof MeetingCommand.Type
