/**
 * The meeting decider: settings, one open session at a time with its participants, and at most one
 * active livestream.
 */
import { Result } from "effect"
import type { Decider } from "../Decider.ts"
import { CommandOutOfOrder } from "../DomainError.ts"
import type { MeetingCommand } from "./MeetingCommand.ts"
import {
  MeetingAlreadyExists,
  type MeetingError,
  MeetingInactive,
  MeetingLivestreamAlreadyActive,
  MeetingNotFound,
  MeetingSessionAlreadyOpen,
  MeetingSessionNotOpen,
  MeetingStatusUnchanged,
  NoActiveMeetingLivestream,
  ParticipantAlreadyJoined,
  ParticipantNotJoined
} from "./MeetingError.ts"
import type { MeetingEvent } from "./MeetingEvent.ts"
import type { Meeting, MeetingState } from "./MeetingState.ts"
import type { ForwardedEngineEvent } from "./MeetingValues.ts"
import type { MeetingId } from "../Ids.ts"
import type { Timestamp } from "../Time.ts"
import { seedFieldsOf } from "../webhook/SeedWebhookConformance.ts"

/** An engine event told to the app: the fields the seed lists for its type, all the log keeps of it. */
const engineEventForwarded = (
  subject: { readonly meetingId: MeetingId; readonly at: Timestamp },
  forwarded: ForwardedEngineEvent
): MeetingEvent => ({
  _tag: "EngineEventForwarded",
  ...subject,
  forwarded: { type: forwarded.type, data: seedFieldsOf(forwarded.type, forwarded.data) }
})

type Events = Result.Result<ReadonlyArray<MeetingEvent>, MeetingError | CommandOutOfOrder>

const decideExisting = (command: MeetingCommand, meeting: Meeting): Events => {
  const subject = { meetingId: meeting.id, at: command.at }
  const session = meeting.session
  switch (command._tag) {
    case "CreateMeeting":
      return Result.fail(new MeetingAlreadyExists(subject))
    case "SetMeetingStatus":
      if (meeting.status === command.status) return Result.fail(new MeetingStatusUnchanged(subject))
      return Result.succeed([{ _tag: "MeetingStatusChanged", ...subject, status: command.status }])
    case "OpenMeetingSession":
      if (meeting.status === "INACTIVE") return Result.fail(new MeetingInactive(subject))
      if (session !== null) {
        return Result.fail(new MeetingSessionAlreadyOpen({ ...subject, openMeetingSessionId: session.id }))
      }
      return Result.succeed([{ _tag: "MeetingSessionOpened", ...subject, meetingSessionId: command.meetingSessionId }])
    case "CloseMeetingSession": {
      const forwarded: ReadonlyArray<MeetingEvent> =
        command.forwarded === undefined ? [] : [engineEventForwarded(subject, command.forwarded)]
      if (session === null || session.id !== command.meetingSessionId) {
        // The room's end told after its session closed is still the app's to hear of.
        return forwarded.length > 0 ? Result.succeed(forwarded) : Result.fail(new MeetingSessionNotOpen(subject))
      }
      return Result.succeed([
        {
          _tag: "MeetingSessionClosed",
          ...subject,
          meetingSessionId: session.id,
          openedAt: session.openedAt
        },
        ...forwarded
      ])
    }
    case "ForwardEngineEvent":
      return Result.succeed([engineEventForwarded(subject, command.forwarded)])
    case "JoinParticipant":
      if (session === null) return Result.fail(new MeetingSessionNotOpen(subject))
      if (session.participants.includes(command.participantId)) {
        return Result.fail(new ParticipantAlreadyJoined({ ...subject, participantId: command.participantId }))
      }
      return Result.succeed([
        {
          _tag: "ParticipantJoined",
          ...subject,
          meetingSessionId: session.id,
          participantId: command.participantId,
          ...(command.profile === undefined ? {} : { profile: command.profile })
        }
      ])
    case "LeaveParticipant":
      if (session === null) return Result.fail(new MeetingSessionNotOpen(subject))
      if (!session.participants.includes(command.participantId)) {
        return Result.fail(new ParticipantNotJoined({ ...subject, participantId: command.participantId }))
      }
      return Result.succeed([
        {
          _tag: "ParticipantLeft",
          ...subject,
          meetingSessionId: session.id,
          participantId: command.participantId,
          ...(command.reason === undefined ? {} : { reason: command.reason }),
          ...(command.message === undefined ? {} : { message: command.message })
        }
      ])
    case "StartMeetingLivestream":
      if (meeting.status === "INACTIVE") return Result.fail(new MeetingInactive(subject))
      if (meeting.activeLivestreamId !== null) {
        return Result.fail(new MeetingLivestreamAlreadyActive({ ...subject, livestreamId: meeting.activeLivestreamId }))
      }
      return Result.succeed([{ _tag: "MeetingLivestreamStarted", ...subject, livestreamId: command.livestreamId }])
    case "StopMeetingLivestream":
      if (meeting.activeLivestreamId === null) return Result.fail(new NoActiveMeetingLivestream(subject))
      return Result.succeed([
        { _tag: "MeetingLivestreamStopped", ...subject, livestreamId: meeting.activeLivestreamId }
      ])
  }
}

export const decide = (command: MeetingCommand, state: MeetingState): Events => {
  if (state === null) {
    if (command._tag !== "CreateMeeting") return Result.fail(new MeetingNotFound({ meetingId: command.meetingId }))
    return Result.succeed([{ ...command, _tag: "MeetingCreated" }])
  }
  if (command.at < state.updatedAt) {
    return Result.fail(
      new CommandOutOfOrder({ aggregate: "meeting", id: state.id, at: command.at, lastChangedAt: state.updatedAt })
    )
  }
  return decideExisting(command, state)
}

export const evolve = (state: MeetingState, event: MeetingEvent): MeetingState => {
  if (event._tag === "MeetingCreated") {
    return {
      id: event.meetingId,
      accountId: event.accountId,
      appId: event.appId,
      title: event.title,
      status: "ACTIVE",
      liveStreamOnStart: event.liveStreamOnStart,
      recordOnStart: event.recordOnStart,
      session: null,
      sessionsHeld: 0,
      activeLivestreamId: null,
      createdAt: event.at,
      updatedAt: event.at
    }
  }
  if (state === null) return state
  const meeting = { ...state, updatedAt: event.at }
  switch (event._tag) {
    case "MeetingStatusChanged":
      return { ...meeting, status: event.status }
    case "MeetingSessionOpened":
      return {
        ...meeting,
        session: { id: event.meetingSessionId, openedAt: event.at, participants: [] },
        sessionsHeld: meeting.sessionsHeld + 1
      }
    case "MeetingSessionClosed":
      return { ...meeting, session: null }
    case "ParticipantJoined":
      return meeting.session === null
        ? meeting
        : {
            ...meeting,
            session: { ...meeting.session, participants: [...meeting.session.participants, event.participantId] }
          }
    case "ParticipantLeft":
      return meeting.session === null
        ? meeting
        : {
            ...meeting,
            session: {
              ...meeting.session,
              participants: meeting.session.participants.filter((id) => id !== event.participantId)
            }
          }
    case "MeetingLivestreamStarted":
      return { ...meeting, activeLivestreamId: event.livestreamId }
    case "MeetingLivestreamStopped":
      return { ...meeting, activeLivestreamId: null }
    case "EngineEventForwarded":
      return meeting
  }
}

export const MeetingDecider: Decider<MeetingCommand, MeetingEvent, MeetingState, MeetingError | CommandOutOfOrder> = {
  initialState: null,
  decide,
  evolve
}
