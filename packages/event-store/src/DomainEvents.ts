/**
 * How the core's events are stored: each aggregate's events in the stream `<kind>-<id>`, typed by their
 * tag, with the schema's encoded form as data. Decoding checks every stored event against its schema, so
 * a row that does not fit is reported, never folded into a state.
 */
import {
  type AggregateKind,
  type Change,
  IngestEvent,
  LivestreamEvent,
  MeetingEvent,
  type NewEvent,
  SessionEvent,
  type StoredEvent,
  streamName
} from "@onair/core"
import { Result, Schema } from "effect"

const codecs = {
  livestream: {
    encode: Schema.encodeSync(LivestreamEvent),
    decode: Schema.decodeUnknownExit(LivestreamEvent)
  },
  session: { encode: Schema.encodeSync(SessionEvent), decode: Schema.decodeUnknownExit(SessionEvent) },
  ingest: { encode: Schema.encodeSync(IngestEvent), decode: Schema.decodeUnknownExit(IngestEvent) },
  meeting: { encode: Schema.encodeSync(MeetingEvent), decode: Schema.decodeUnknownExit(MeetingEvent) }
} as const

const KINDS: ReadonlyArray<AggregateKind> = ["livestream", "session", "ingest", "meeting"]

/** The event a change appends. */
export const toNewEvent = (change: Change): NewEvent => {
  switch (change.kind) {
    case "livestream":
      return { type: change.event._tag, data: codecs.livestream.encode(change.event) }
    case "session":
      return { type: change.event._tag, data: codecs.session.encode(change.event) }
    case "ingest":
      return { type: change.event._tag, data: codecs.ingest.encode(change.event) }
    case "meeting":
      return { type: change.event._tag, data: codecs.meeting.encode(change.event) }
  }
}

/** The aggregate a stream belongs to, if it is a domain stream. */
export const parseStream = (stream: string): { readonly kind: AggregateKind; readonly id: string } | undefined => {
  const dash = stream.indexOf("-")
  if (dash <= 0) return undefined
  const kind = stream.slice(0, dash) as AggregateKind
  return KINDS.includes(kind) ? { kind, id: stream.slice(dash + 1) } : undefined
}

/** A stored event as the change that appended it, or why it cannot be one. */
export const toChange = (stored: StoredEvent): Result.Result<Change, string> => {
  const subject = parseStream(stored.stream)
  if (subject === undefined) return Result.fail(`${stored.stream} is not a domain stream`)
  const decoded = codecs[subject.kind].decode(stored.data)
  if (decoded._tag === "Failure") {
    return Result.fail(`${stored.stream}@${stored.version} (${stored.type}) does not match its schema`)
  }
  return Result.succeed({ kind: subject.kind, id: subject.id, event: decoded.value } as Change)
}

export { streamName }
