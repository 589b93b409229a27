/**
 * Why a session (one broadcast) ended. The first four are the webhook seed's `ingest.end.success` reasons,
 * spelled as it spells them; the rest are OnAir's own, for endings the seed has no word for.
 */
import { Schema } from "effect"

export const SessionEndReason = Schema.Literals([
  "stream closed",
  "reconnection window expired",
  "publish error",
  "internal error",
  "stopped by request",
  "disabled",
  "start timeout",
  "maximum duration reached",
  // A composed meeting's broadcast, stopped by its meeting: the room ended, or its last peer left.
  "room ended",
  "last peer left"
])
export type SessionEndReason = typeof SessionEndReason.Type

/** Endings that leave the livestream `ERRORED` until its next broadcast. */
export const isErrorReason = (reason: SessionEndReason): boolean =>
  reason === "publish error" || reason === "internal error"
