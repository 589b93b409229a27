/**
 * One error per rule a meeting command can break.
 */
import { Schema } from "effect"
import { LivestreamId, MeetingId, MeetingSessionId, ParticipantId } from "../Ids.ts"

export class MeetingAlreadyExists extends Schema.TaggedError<MeetingAlreadyExists>()("MeetingAlreadyExists", {
  meetingId: MeetingId
}) {}

export class MeetingNotFound extends Schema.TaggedError<MeetingNotFound>()("MeetingNotFound", {
  meetingId: MeetingId
}) {}

/** An INACTIVE meeting opens no sessions and starts no livestreams. */
export class MeetingInactive extends Schema.TaggedError<MeetingInactive>()("MeetingInactive", {
  meetingId: MeetingId
}) {}

export class MeetingStatusUnchanged extends Schema.TaggedError<MeetingStatusUnchanged>()("MeetingStatusUnchanged", {
  meetingId: MeetingId
}) {}

/** A meeting holds one session at a time. */
export class MeetingSessionAlreadyOpen extends Schema.TaggedError<MeetingSessionAlreadyOpen>()(
  "MeetingSessionAlreadyOpen",
  { meetingId: MeetingId, openMeetingSessionId: MeetingSessionId }
) {}

/** Closing, joining or leaving needs the named (or any) session to be the open one. */
export class MeetingSessionNotOpen extends Schema.TaggedError<MeetingSessionNotOpen>()("MeetingSessionNotOpen", {
  meetingId: MeetingId
}) {}

export class ParticipantAlreadyJoined extends Schema.TaggedError<ParticipantAlreadyJoined>()(
  "ParticipantAlreadyJoined",
  { meetingId: MeetingId, participantId: ParticipantId }
) {}

export class ParticipantNotJoined extends Schema.TaggedError<ParticipantNotJoined>()("ParticipantNotJoined", {
  meetingId: MeetingId,
  participantId: ParticipantId
}) {}

/** A meeting has at most one active livestream. */
export class MeetingLivestreamAlreadyActive extends Schema.TaggedError<MeetingLivestreamAlreadyActive>()(
  "MeetingLivestreamAlreadyActive",
  { meetingId: MeetingId, livestreamId: LivestreamId }
) {}

export class NoActiveMeetingLivestream extends Schema.TaggedError<NoActiveMeetingLivestream>()(
  "NoActiveMeetingLivestream",
  { meetingId: MeetingId }
) {}

export type MeetingError =
  | MeetingAlreadyExists
  | MeetingNotFound
  | MeetingInactive
  | MeetingStatusUnchanged
  | MeetingSessionAlreadyOpen
  | MeetingSessionNotOpen
  | ParticipantAlreadyJoined
  | ParticipantNotJoined
  | MeetingLivestreamAlreadyActive
  | NoActiveMeetingLivestream
