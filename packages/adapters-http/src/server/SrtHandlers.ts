/**
 * A livestream's SRT ingest: turning it on claims the lowest free port of the range on that port's own
 * stream (a claim that loses a race tries the next port), then records it on the livestream. A livestream
 * that has a port keeps it until SRT is turned off or the livestream is deleted. One app holds at most its
 * quota of the range (`ONAIR_SRT_PORTS_PER_APP`), so no tenant can leave the others none.
 */
import { SrtPortCommands } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { type Livestream, type LivestreamId, originMetadata, SrtPortNumber, type Timestamp } from "@onair/core"
import { Effect, Semaphore } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { badRequest, conflict, notFound, OnAirApi } from "@onair/http-api"
import { type LivestreamParams, makeManage } from "./ManageHandlers.ts"
import { authorizeLivestream, now } from "./Requests.ts"
import { releaseSrtPort } from "./SrtPortRelease.ts"
import { SrtSettings } from "./SrtSettings.ts"

/** SRT's longest passphrase; the stream key is the passphrase (OnAir's keys have 64 characters). */
const MAX_PASSPHRASE = 79

export const SrtHandlers = HttpApiBuilder.group(
  OnAirApi,
  "srt",
  Effect.fn(function* (handlers) {
    const catalog = yield* CatalogReads
    const ports = yield* SrtPortCommands
    const settings = yield* SrtSettings
    const { manage } = yield* makeManage
    const opening = yield* Semaphore.make(1)

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

    /** How many ports the livestreams of the app hold now. */
    const heldByApp = (livestream: Livestream) =>
      Effect.map(
        catalog.srtLivestreams,
        (held) =>
          held.filter((other) => other.accountId === livestream.accountId && other.appId === livestream.appId).length
      )
    const overQuota = () =>
      conflict(
        "srt_port_quota",
        `this app's livestreams hold ${settings.perApp} SRT port(s), its quota (ONAIR_SRT_PORTS_PER_APP): turn SRT off for one of them first`
      )

    /** Claims the first free port of the range for the livestream; null when every port is held. */
    const claimFree = (livestreamId: LivestreamId, range: readonly [number, number], at: Timestamp, actor: string) =>
      Effect.gen(function* () {
        const held = new Set((yield* catalog.srtLivestreams).map((other) => other.srtPort))
        for (let port = range[0]; port <= range[1]; port++) {
          if (held.has(port as SrtPortNumber)) continue
          const claimed = yield* ports
            .handle(
              { _tag: "ClaimSrtPort", port: SrtPortNumber.make(port), livestreamId, at },
              originMetadata(`srt:${livestreamId}:claim:${port}:${at}`, actor, at)
            )
            .pipe(
              Effect.as(true),
              Effect.catchTag("SrtPortTaken", () => Effect.succeed(false))
            )
          if (claimed) return port
        }
        return null
      })

    /**
     * Claims a port for the livestream and records it, within the app's quota. One at a time in this
     * process, so an app's requests at once are counted one after another; requests on other replicas are
     * caught by the count after the port is recorded.
     */
    const openSrt = (params: LivestreamParams, token: { readonly id: string }, livestream: Livestream) =>
      Effect.gen(function* () {
        const range = settings.ports!
        if ((yield* heldByApp(livestream)) >= settings.perApp) return yield* overQuota()
        const at = yield* now
        const actor = `token:${token.id}`
        const port = yield* claimFree(livestream.id, range, at, actor).pipe(Effect.orDie)
        if (port === null) {
          return yield* conflict(
            "no_free_srt_port",
            `every SRT port of ${range.join("-")} is held: turn SRT off for another livestream`
          )
        }
        const updated = yield* manage(params, () => [
          { _tag: "SetSrtPort", livestreamId: livestream.id, at, port: SrtPortNumber.make(port) }
        ]).pipe(
          // The port goes back when the livestream did not take it.
          Effect.tapError(() => Effect.ignore(release(livestream.id, port, at, actor)))
        )
        if (updated === undefined) return yield* notFound(`livestream ${livestream.id}`)
        // Requests of one app racing past the check above: counted again once this port is recorded, a
        // request that finds the app over its quota gives its port back. The last recorded sees every
        // earlier one, so the app never keeps more than its quota.
        if ((yield* heldByApp(livestream)) > settings.perApp) {
          yield* manage(params, () => [{ _tag: "SetSrtPort", livestreamId: livestream.id, at, port: null }])
          yield* release(livestream.id, port, at, actor).pipe(Effect.orDie)
          return yield* overQuota()
        }
        return record(updated, port)
      })

    return handlers
      .handle("getSrtIngest", ({ params }) =>
        Effect.gen(function* () {
          const { livestream } = yield* authorizeLivestream(params)
          if (livestream.srtPort === null)
            return yield* notFound(`the SRT ingest of livestream ${livestream.id} (it is off)`)
          return record(livestream, livestream.srtPort)
        })
      )
      .handle("openSrtIngest", ({ params }) =>
        Effect.gen(function* () {
          const { token, livestream } = yield* authorizeLivestream(params)
          if (settings.ports === null) {
            return yield* badRequest("invalid_parameter", "srt: SRT ingest is off on this deployment (ONAIR_SRT_PORTS)")
          }
          if (livestream.srtPort !== null) return record(livestream, livestream.srtPort)
          if (livestream.streamKey.length > MAX_PASSPHRASE) {
            return yield* badRequest(
              "invalid_parameter",
              `srt: SRT takes a passphrase of at most ${MAX_PASSPHRASE} characters; rotate the stream key first`
            )
          }
          return yield* openSrt(params, token, livestream).pipe(Semaphore.withPermits(opening, 1))
        })
      )
      .handle("closeSrtIngest", ({ params }) =>
        Effect.gen(function* () {
          const { token, livestream } = yield* authorizeLivestream(params)
          const port = livestream.srtPort
          if (port === null) return yield* notFound(`the SRT ingest of livestream ${livestream.id} (it is off)`)
          const at = yield* now
          yield* manage(params, () => [{ _tag: "SetSrtPort", livestreamId: livestream.id, at, port: null }])
          yield* release(livestream.id, port, at, `token:${token.id}`).pipe(Effect.orDie)
          return {
            success: true as const,
            data: { message: `SRT ingest of livestream ${livestream.id} is off (port ${port} is free)` }
          }
        })
      )
  })
)
