/**
 * A livestream's SRT ingest (OnAir's own): it holds a port of the deployment's SRT range while SRT is on,
 * and every media node that may take its publishers listens there, with the stream key as the passphrase.
 */
import { LivestreamId } from "@onair/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { BadRequest, Conflict, NotFound, Ok } from "./Envelope.ts"
import { BASE, ScopeParams } from "./Scope.ts"
import { Authorization } from "./Security.ts"

export const SrtIngestRecord = Schema.Struct({
  livestream_id: Schema.String,
  port: Schema.Int,
  /** What an SRT caller connects to: `srt://<host>:<port>?passphrase=<stream key>&pbkeylen=16`. */
  srt_ingest_url: Schema.String
})

const LivestreamParams = { ...ScopeParams, livestream_id: LivestreamId }

export class SrtApi extends HttpApiGroup.make("srt")
  .add(
    HttpApiEndpoint.get("getSrtIngest", `${BASE}/livestreams/:livestream_id/srt`, {
      params: LivestreamParams,
      success: Ok(SrtIngestRecord),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.put("openSrtIngest", `${BASE}/livestreams/:livestream_id/srt`, {
      params: LivestreamParams,
      success: Ok(SrtIngestRecord),
      error: [BadRequest, NotFound, Conflict]
    }),
    HttpApiEndpoint.delete("closeSrtIngest", `${BASE}/livestreams/:livestream_id/srt`, {
      params: LivestreamParams,
      success: Ok(Schema.Struct({ message: Schema.String })),
      error: [BadRequest, NotFound, Conflict]
    })
  )
  .middleware(Authorization)
  .annotateMerge(
    OpenApi.annotations({
      title: "SRT ingest",
      description:
        "A livestream's SRT listener: a port of the deployment's range (ONAIR_SRT_PORTS), the stream key as its passphrase."
    })
  ) {}
