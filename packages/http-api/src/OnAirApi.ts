/**
 * The whole HTTP API: the definition servers implement and clients are generated from.
 */
import { HttpApi, OpenApi } from "effect/http-api"
import { AdminApi } from "./AdminApi.ts"
import { AnalyticsApi } from "./AnalyticsApi.ts"
import { AppsApi } from "./AppsApi.ts"
import { AppSettingsApi } from "./AppSettingsApi.ts"
import { LivestreamsApi } from "./LivestreamsApi.ts"
import { MeetingsApi } from "./MeetingsApi.ts"
import { RecordingsApi } from "./RecordingsApi.ts"
import { RestreamsApi } from "./RestreamsApi.ts"
import { SrtApi } from "./SrtApi.ts"
import { documented } from "./OpenApiDocument.ts"
import { WebhooksApi } from "./WebhooksApi.ts"

export class OnAirApi extends HttpApi.make("onair")
  .add(LivestreamsApi)
  .add(RecordingsApi)
  .add(AppsApi)
  .add(AppSettingsApi)
  .add(RestreamsApi)
  .add(SrtApi)
  .add(AnalyticsApi)
  .add(MeetingsApi)
  .add(WebhooksApi)
  .add(AdminApi)
  .annotateMerge(
    OpenApi.annotations({
      title: "OnAir",
      description: "Self-hosted livestream control plane: the livestreams API of the seeds.",
      transform: documented
    })
  ) {}
