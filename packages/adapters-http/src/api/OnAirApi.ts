/**
 * The whole HTTP API: the definition servers implement and clients are generated from.
 */
import { HttpApi, OpenApi } from "effect/http-api"
import { LivestreamsApi } from "./LivestreamsApi.ts"

export class OnAirApi extends HttpApi.make("onair")
  .add(LivestreamsApi)
  .annotateMerge(OpenApi.annotations({
    title: "OnAir",
    description: "Self-hosted livestream control plane: the livestreams API of the seeds."
  }))
{}
