/**
 * An account's apps, at RealtimeKit's path (`/accounts/{account_id}/realtime/kit/apps`) and in its shape:
 * list (`page_no`, `per_page`, `search`, `sort_order`) and create (`name`). Apps are never removed. A token
 * for the whole account lists every app and may create apps; a token that names its apps lists those.
 */
import { AccountId, AppName } from "@onair/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { BadRequest, Forbidden, NotFound, Ok, Paging } from "./Envelope.ts"
import { PageNo, PerPage } from "./LivestreamsApi.ts"
import { Authorization } from "./Security.ts"

export const AppRecord = Schema.Struct({
  /** A UUID for apps created here; an app from before apps were resources keeps the id it was used by. */
  id: Schema.String,
  name: Schema.String,
  created_at: Schema.String
})

export const CreateAppBody = Schema.Struct({ name: AppName })

export class AppsApi extends HttpApiGroup.make("apps")
  .add(
    HttpApiEndpoint.get("getApps", "/accounts/:account_id/realtime/kit/apps", {
      params: { account_id: AccountId },
      query: {
        page_no: Schema.optional(PageNo),
        per_page: Schema.optional(PerPage),
        /** Apps whose name contains it, case-insensitively. */
        search: Schema.optional(Schema.String.pipe(Schema.check(Schema.isMaxLength(255)))),
        /** By creation time; newest first unless `ASC`. */
        sort_order: Schema.optional(Schema.Literals(["ASC", "DESC"]))
      },
      success: Schema.Struct({ success: Schema.Literal(true), data: Schema.Array(AppRecord), paging: Paging }),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.post("createApp", "/accounts/:account_id/realtime/kit/apps", {
      params: { account_id: AccountId },
      payload: CreateAppBody,
      success: Ok(Schema.Struct({ app: AppRecord })).pipe(HttpApiSchema.status(201)),
      error: [BadRequest, Forbidden, NotFound]
    })
  )
  .middleware(Authorization)
  .annotateMerge(
    OpenApi.annotations({ title: "Apps", description: "An account's apps (RealtimeKit's apps resource)." })
  ) {}
