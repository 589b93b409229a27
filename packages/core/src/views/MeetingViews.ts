/**
 * Meeting records, from state.
 */
import type { Meeting } from "../meeting/MeetingState.ts"
import { toIso } from "../Time.ts"
import type { MeetingRecord } from "./SeedRecords.ts"

export const meetingRecord = (meeting: Meeting): MeetingRecord => ({
  id: meeting.id,
  title: meeting.title,
  status: meeting.status,
  created_at: toIso(meeting.createdAt),
  updated_at: toIso(meeting.updatedAt),
  live_stream_on_start: meeting.liveStreamOnStart,
  record_on_start: meeting.recordOnStart
})
