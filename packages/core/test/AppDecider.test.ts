/**
 * Apps: created once per account and id, with the name and origin they were given; never removed.
 */
import { assert, describe, it } from "@effect/vitest"
import { AppDecider } from "../src/app/AppDecider.ts"
import { accountId, appId, t } from "./Fixtures.ts"
import { spec } from "./Spec.ts"

const { given } = spec(AppDecider)
const created = { _tag: "AppCreated" as const, accountId, appId, name: "Studio", origin: "created" as const, at: t(1) }

describe("AppDecider", () => {
  it("creates an app once, as given", () => {
    const state = given()
      .when({ ...created, _tag: "CreateApp" })
      .then(created)
    assert.deepStrictEqual(state, { accountId, id: appId, name: "Studio", origin: "created", createdAt: t(1) })
  })

  it("refuses an id already taken, whatever the name or origin", () => {
    given(created)
      .when({ ...created, _tag: "CreateApp", name: "Other", origin: "existing", at: t(2) })
      .thenFails("AppAlreadyExists", { accountId, appId })
  })
})
