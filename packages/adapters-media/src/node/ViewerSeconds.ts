/**
 * Viewer seconds from served segments: each segment a viewer fetches counts its duration once for that
 * viewer (a WebRTC viewer counts the time it is connected), summed per session and accrued to the session through the control plane every few seconds.
 * The bytes served are counted too, for the node's load.
 *
 * A batch keeps its command id until it is stored, so a flush that failed after the store took it is not
 * counted twice when it is retried.
 */
import type { SessionId } from "@onair/core"
import { Clock, Effect } from "effect"
import { randomUUID } from "node:crypto"
import { MediaControl } from "../protocol/MediaControl.ts"

/** How many of a viewer's latest segments are remembered to count each once (players re-fetch a few). */
// Parts of low-latency HLS count one each: 64 is several segments of either kind.
const REMEMBERED_SEGMENTS = 64
/** A viewer silent for this long is forgotten. */
const VIEWER_IDLE_MILLIS = 120_000

interface Viewer {
  readonly recent: Array<number>
  lastSeen: number
}

interface Batch {
  readonly commandId: string
  readonly seconds: number
}

export class ViewerSeconds {
  private readonly viewers = new Map<string, Viewer>()
  private readonly accruing = new Map<SessionId, number>()
  private readonly batches = new Map<SessionId, Batch>()
  private readonly process = randomUUID()
  private flushes = 0
  private bytes = 0

  /** Counts bytes sent to players. */
  sent(bytes: number): void {
    this.bytes += bytes
  }

  /** The bytes sent since the last call. */
  takeSentBytes(): number {
    const bytes = this.bytes
    this.bytes = 0
    return bytes
  }

  /** Counts `seconds` of segment `sequence` for `viewer` of `session`, unless already counted. */
  served(session: SessionId, viewer: string, sequence: number, seconds: number, now: number): boolean {
    const key = `${session}/${viewer}`
    let entry = this.viewers.get(key)
    if (entry === undefined) {
      entry = { recent: [], lastSeen: now }
      this.viewers.set(key, entry)
    }
    entry.lastSeen = now
    if (entry.recent.includes(sequence)) return false
    entry.recent.push(sequence)
    if (entry.recent.length > REMEMBERED_SEGMENTS) entry.recent.shift()
    this.accruing.set(session, (this.accruing.get(session) ?? 0) + seconds)
    return true
  }

  /**
   * Counts `seconds` that `viewer` of `session` watched as a stream (WebRTC, WHEP): time connected, there
   * being no segments to count.
   */
  watched(session: SessionId, viewer: string, seconds: number, now: number): void {
    const key = `${session}/${viewer}`
    const entry = this.viewers.get(key)
    if (entry === undefined) this.viewers.set(key, { recent: [], lastSeen: now })
    else entry.lastSeen = now
    this.accruing.set(session, (this.accruing.get(session) ?? 0) + seconds)
  }

  /** Viewers that fetched anything of `session` in the last `windowMillis`. */
  watching(session: SessionId, now: number, windowMillis: number): number {
    let count = 0
    for (const [key, viewer] of this.viewers) {
      if (key.startsWith(`${session}/`) && now - viewer.lastSeen <= windowMillis) count++
    }
    return count
  }

  /** Viewers of any session that fetched anything in the last `windowMillis`. */
  watchingAny(now: number, windowMillis: number): number {
    let count = 0
    for (const viewer of this.viewers.values()) if (now - viewer.lastSeen <= windowMillis) count++
    return count
  }

  /** Seconds counted and not yet stored. */
  pending(): number {
    let total = 0
    for (const seconds of this.accruing.values()) total += seconds
    for (const batch of this.batches.values()) total += batch.seconds
    return total
  }

  /** Stores what was counted: one accrual per session. */
  readonly flush = Effect.gen({ self: this }, function* () {
    const now = yield* Clock.currentTimeMillis
    for (const [key, viewer] of this.viewers) if (now - viewer.lastSeen > VIEWER_IDLE_MILLIS) this.viewers.delete(key)
    for (const [session, seconds] of this.accruing) {
      if (this.batches.has(session)) continue
      this.accruing.delete(session)
      this.batches.set(session, { commandId: `viewers:${this.process}:${++this.flushes}`, seconds })
    }
    const control = yield* MediaControl
    for (const [sessionId, batch] of [...this.batches]) {
      const seconds = Math.round(batch.seconds * 1000) / 1000
      yield* control.accrueViewerSeconds({ commandId: batch.commandId, sessionId, seconds }).pipe(
        Effect.andThen(
          Effect.sync(() => {
            this.batches.delete(sessionId)
          })
        ),
        Effect.catch((error) => {
          // An unreachable control plane keeps the batch for the next flush; a rule the session refuses drops it.
          if (error._tag === "MediaControlUnavailable") {
            return Effect.logWarning(`media: viewer seconds of ${sessionId} kept for later: ${error.message}`)
          }
          this.batches.delete(sessionId)
          return Effect.logWarning(`media: viewer seconds of ${sessionId} dropped: ${error.message}`)
        })
      )
    }
  })
}
