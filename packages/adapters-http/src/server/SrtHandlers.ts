/**
 * A livestream's SRT ingest: turning it on claims the lowest free port of the range on that port's own
 * stream (a claim that loses a race tries the next port), then records it on the livestream. A livestream
 * that has a port keeps it until SRT is turned off or the livestream is deleted.
 */
import { SrtPortCommands } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { type Livestream, type LivestreamId, originMetadata, SrtPortNumber, type Timestamp } from "@onair/core"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { badRequest, conflict, notFound, OnAirApi } from "@onair/http-api"
import { makeManage } from "./ManageHandlers.ts"
import { authorizeLivestream, now } from "./Requests.ts"
import { releaseSrtPort } from "./SrtPortRelease.ts"
import { SrtSettings } from "./SrtSettings.ts"

/** SRT's longest passphrase; the stream key is the passphrase (OnAir's keys have 64 characters). */
const MAX_PASSPHRASE = 79

export const SrtHandlers = HttpApiBuilder.group(
  OnAirApi,
  "srt",
  Effect.fn(function*(handlers) {
    const catalog = yield* CatalogReads
    const ports = yield* SrtPortCommands
    const settings = yield* SrtSettings
    const { manage } = yield* makeManage

    const record = (livestream: Livestream, port: number) => ({
      success: true as const,
      data: {
        livestream_id: livestream.id,
        port,
        srt_ingest_url: `srt://${settings.host}:${port}?passphrase=${encodeURIComponent(livestream.streamKey)}&pbkeylen=16`
      }
    })
    const release = (livestreamId: LivestreamId, port: number, at: Timestamp, actor: string) =>
      releaseSrtPort(ports, livestreamId, port, at, actor)

    /** Claims the first free port of the range for the livestream; null when every port is held. */
    const claimFree = (livestreamId: LivestreamId, range: readonly [number, number], at: Timestamp, actor: string) =>
      Effect.gen(function*() {
        const held = new Set((yield* catalog.srtLivestreams).map((other) => other.srtPort))
        for (let port = range[0]; port <= range[1]; port++) {
          if (held.has(port as SrtPortNumber)) continue
          const claimed = yield* ports.handle(
            { _tag: "ClaimSrtPort", port: SrtPortNumber.make(port), livestreamId, at },
            originMetadata(`srt:${livestreamId}:claim:${port}:${at}`, actor, at)
          ).pipe(Effect.as(true), Effect.catchTag("SrtPortTaken", () => Effect.succeed(false)))
          if (claimed) return port
        }
        return null
      })

    return handlers
      .handle("getSrtIngest", ({ params }) =>
        Effect.gen(function*() {
          const { livestream } = yield* authorizeLivestream(params)
          if (livestream.srtPort === null) return yield* notFound(`the SRT ingest of livestream ${livestream.id} (it is off)`)
          return record(livestream, livestream.srtPort)
        }))
      .handle("openSrtIngest", ({ params }) =>
        Effect.gen(function*() {
          const { token, livestream } = yield* authorizeLivestream(params)
          if (settings.ports === null) {
            return yield* badRequest("invalid_parameter", "srt: SRT ingest is off on this deployment (ONAIR_SRT_PORTS)")
          }
          if (livestream.srtPort !== null) return record(livestream, livestream.srtPort)
          if (livestream.streamKey.length > MAX_PASSPHRASE) {
            return yield* badRequest("invalid_parameter", `srt: SRT takes a passphrase of at most ${MAX_PASSPHRASE} characters; rotate the stream key first`)
          }
          const at = yield* now
          const actor = `token:${token.id}`
          const port = yield* claimFree(livestream.id, settings.ports, at, actor).pipe(Effect.orDie)
          if (port === null) {
            return yield* conflict("no_free_srt_port", `every SRT port of ${settings.ports.join("-")} is held: turn SRT off for another livestream`)
          }
          const updated = yield* manage(params, () => [{ _tag: "SetSrtPort", livestreamId: livestream.id, at, port: SrtPortNumber.make(port) }]).pipe(
            // The port goes back when the livestream did not take it.
            Effect.tapError(() => Effect.ignore(release(livestream.id, port, at, actor)))
          )
          if (updated === undefined) return yield* notFound(`livestream ${livestream.id}`)
          return record(updated, port)
        }))
      .handle("closeSrtIngest", ({ params }) =>
        Effect.gen(function*() {
          const { token, livestream } = yield* authorizeLivestream(params)
          const port = livestream.srtPort
          if (port === null) return yield* notFound(`the SRT ingest of livestream ${livestream.id} (it is off)`)
          const at = yield* now
          yield* manage(params, () => [{ _tag: "SetSrtPort", livestreamId: livestream.id, at, port: null }])
          yield* release(livestream.id, port, at, `token:${token.id}`).pipe(Effect.orDie)
          return { success: true as const, data: { message: `SRT ingest of livestream ${livestream.id} is off (port ${port} is free)` } }
        }))
  })
)
