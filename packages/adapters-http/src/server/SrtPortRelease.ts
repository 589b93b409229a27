/**
 * Gives a livestream's SRT port back on its own stream: when SRT is turned off, and when the livestream
 * is deleted.
 */
import type { SrtPortCommands } from "@onair/application"
import { type LivestreamId, originMetadata, SrtPortNumber, type Timestamp } from "@onair/core"

export const releaseSrtPort = (
  ports: SrtPortCommands["Service"],
  livestreamId: LivestreamId,
  port: number,
  at: Timestamp,
  actor: string
) =>
  ports.handle(
    { _tag: "ReleaseSrtPort", port: SrtPortNumber.make(port), livestreamId, at },
    originMetadata(`srt:${livestreamId}:release:${port}:${at}`, actor, at)
  )
