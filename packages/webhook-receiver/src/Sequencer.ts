/**
 * Applying each event once, never an older one after a newer: OnAir delivers at least once (a retry has the
 * same `webhook-id`) and not necessarily in order (a retried message can arrive after a later one). Each
 * subject's events carry an increasing `sequence`; an endpoint that filters types sees gaps in it, so the
 * sequencer does not wait for gaps: it applies an event newer than the subject's last applied one and
 * refuses the rest as `duplicate` (a `webhook-id` or sequence seen) or `stale` (older than one applied).
 *
 * It is in memory and bounded: past `limit` subjects (and `limit` ids) the least recently seen are
 * forgotten. A receiver that must survive restarts keeps the last applied sequence per subject with its
 * own state and passes it as `known`. An event without a `sequence` (the seed's samples, another sender's)
 * is applied once by its id alone.
 */
import { subjectOf } from "./Envelope.ts"

/** What the sequencer reads of an event. */
export interface SequencedEvent {
  readonly id: string
  readonly app_id?: string
  /** Absent in events of other senders than OnAir: those are applied once by id alone. */
  readonly sequence?: number
  readonly data: { readonly [key: string]: unknown }
}

export type Verdict = "apply" | "duplicate" | "stale"

export interface Sequencer {
  /** Whether to apply the event; an `apply` is remembered as the subject's last applied. */
  readonly accept: (event: SequencedEvent) => Verdict
  /** The last applied sequence of a subject (`subjectOf`), if remembered. */
  readonly lastApplied: (subject: string) => number | undefined
}

export const DEFAULT_LIMIT = 100_000

const remember = <K, V>(map: Map<K, V>, key: K, value: V, limit: number) => {
  map.delete(key)
  if (map.size >= limit) map.delete(map.keys().next().value as K)
  map.set(key, value)
}

export const makeSequencer = (options?: {
  readonly limit?: number
  /** Last applied sequences to start from (the receiver's own state after a restart). */
  readonly known?: Iterable<readonly [subject: string, sequence: number]>
}): Sequencer => {
  const limit = options?.limit ?? DEFAULT_LIMIT
  const applied = new Map<string, number>(options?.known)
  const ids = new Map<string, true>()
  return {
    accept: (event) => {
      if (ids.has(event.id)) return "duplicate"
      remember(ids, event.id, true, limit)
      if (event.sequence === undefined) return "apply"
      const subject = subjectOf(event)
      const last = applied.get(subject)
      if (last !== undefined && event.sequence === last) return "duplicate"
      if (last !== undefined && event.sequence < last) return "stale"
      remember(applied, subject, event.sequence, limit)
      return "apply"
    },
    lastApplied: (subject) => applied.get(subject)
  }
}
