/**
 * The dashboard in a real browser against the main job as the README runs it (the API, nginx-rtmp, the
 * webhook worker): sign in with the keyboard, create a livestream, publish to it with ffmpeg, watch the
 * status turn LIVE without a reload and the preview play, disable it, and see the webhook attempt listed.
 * The API reference renders with nothing fetched from elsewhere. Screenshots of each page go to
 * `artifacts/screenshots/`.
 */
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"
import type { Browser, Page } from "playwright-core"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import {
  type Encoder,
  type MainJob,
  publish,
  type Receiver,
  startMainJob,
  startReceiver,
  waitFor
} from "@onair/test-support"
import { artifactsDir, launchChromium } from "@onair/test-support/browser"

/** axe-core, the accessibility engine from npm, injected into a page to check it against WCAG 2 A and AA. */
const AXE = Fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8")

describe("the dashboard, in Chromium", () => {
  let job: MainJob
  let receiver: Receiver
  let browser: Browser
  let closeBrowser: () => Promise<void>
  let encoder: Encoder | undefined
  const screenshots = artifactsDir()
  const offOrigin: Array<string> = []

  beforeAll(async () => {
    ;[job, receiver] = await Promise.all([startMainJob(), startReceiver()])
    const created = await job.api("POST", "/webhooks", { url: `${receiver.url}/onair`, events: ["*"] })
    assert.strictEqual(created.status, 201, JSON.stringify(created.body))
    ;({ browser, close: closeBrowser } = await launchChromium())
  })
  afterAll(async () => {
    await encoder?.stop()
    await closeBrowser?.()
    await receiver?.close()
    await job?.stop()
  })

  /**
   * A page that records every request to anywhere but this OnAir: its API origin and the public host its
   * playback URLs name (`localhost`, the job's default public name).
   */
  const newPage = async (viewport = { width: 1280, height: 900 }): Promise<Page> => {
    const page = await browser.newPage({ viewport })
    const ours = [`${job.url}/`, `${job.url.replace("127.0.0.1", "localhost")}/`, "blob:", "data:"]
    page.on("request", (request) => {
      const url = request.url()
      if (!ours.some((origin) => url.startsWith(origin))) offOrigin.push(url)
    })
    return page
  }
  const accessibility: Array<string> = []
  /** Screenshots the page, and checks it with axe (violations are gathered and asserted at the end). */
  const shoot = async (page: Page, name: string) => {
    await page.screenshot({ path: Path.join(screenshots, `${name}.png`), fullPage: true })
    // Through the debugger, as the page's own policy allows no injected script.
    await page.evaluate(AXE)
    const checked = await page.evaluate(async () => {
      const result = await (window as any).axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }
      })
      return {
        passed: result.passes.length as number,
        violations: result.violations.map(
          (v: any) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(" ")).join(", ")})`
        ) as Array<string>
      }
    })
    // Contrast, labels, names and the rest were looked at, not skipped.
    if (checked.passed < 5) accessibility.push(`${name}: axe checked only ${checked.passed} rules`)
    accessibility.push(...checked.violations.map((v) => `${name}: ${v}`))
  }

  const signIn = async (page: Page) => {
    await page.goto(`${job.url}/dashboard/`)
    // By keyboard alone: focus the first field, type, tab on, type, Enter.
    await page.getByLabel("Account ID").focus()
    await page.keyboard.type(job.account)
    await page.keyboard.press("Tab")
    await page.keyboard.type(job.token)
    await page.keyboard.press("Enter")
    await page.getByRole("heading", { name: "Livestreams" }).waitFor()
  }

  it("signs in, creates, goes LIVE without a reload, plays, is disabled, and lists the webhook attempt", async () => {
    const page = await newPage()
    await signIn(page)
    assert.notInclude(page.url(), job.token, "the token never goes in a URL")
    const stored = await page.evaluate(() => ({ session: sessionStorage.length, local: localStorage.length }))
    assert.deepStrictEqual(stored, { session: 1, local: 0 }, "the token is kept in the tab's session only")

    // Every input is labelled.
    const unlabelled = await page.evaluate(
      () =>
        [...document.querySelectorAll("input, select")].filter((e) => (e as HTMLInputElement).labels?.length === 0)
          .length
    )
    assert.strictEqual(unlabelled, 0)

    await page.getByLabel("New livestream name").fill("Browser launch")
    await page.getByRole("button", { name: "Create livestream" }).click()
    await page.getByRole("heading", { name: /Browser launch/ }).waitFor()
    const id = decodeURIComponent(new URL(page.url()).hash.split("/")[2] ?? "")
    assert.match(id, /^[0-9a-f-]{36}$/)
    assert.strictEqual(await page.getByTestId("status").textContent(), "INVOKED")

    // The key stays hidden until asked for.
    const keyField = page.getByLabel("stream key", { exact: true })
    assert.notMatch((await keyField.textContent()) ?? "", /[0-9a-z]{8}/)
    await page.getByRole("button", { name: "Show stream key" }).click()
    const streamKey = ((await keyField.textContent()) ?? "").trim()
    assert.isAbove(streamKey.length, 8)
    // The WHIP URL holds the key too: hidden until asked for, then this server's /whip/<key>.
    const whipField = page.getByLabel("WHIP URL", { exact: true })
    assert.notInclude((await whipField.textContent()) ?? "", streamKey)
    await page.getByRole("button", { name: "Show WHIP URL" }).click()
    const { playback_url: playbackUrl } = (await job.api("GET", `/livestreams/${id}`)).body.data.livestream
    assert.strictEqual(
      ((await whipField.textContent()) ?? "").trim(),
      `${new URL(playbackUrl).origin}/whip/${streamKey}`
    )

    // A mark on the window: a reload would lose it.
    await page.evaluate(() => ((window as any).onairNoReload = true))
    encoder = publish(`rtmp://127.0.0.1:${job.rtmpPort}/live/${streamKey}`)
    await page.getByTestId("status").filter({ hasText: "LIVE" }).waitFor({ timeout: 30_000 })
    assert.isTrue(await page.evaluate(() => (window as any).onairNoReload === true), "LIVE arrived without a reload")

    // The preview plays: the video element's time advances.
    await page.waitForFunction(
      () => {
        const video = document.querySelector("video")
        return video !== null && video.currentTime > 1.5
      },
      undefined,
      { timeout: 45_000 }
    )
    const first = await page.evaluate(() => document.querySelector("video")!.currentTime)
    await page.waitForFunction((t) => document.querySelector("video")!.currentTime > t + 1, first, { timeout: 15_000 })
    await page.getByTestId("resolution").filter({ hasText: "640x360" }).waitFor({ timeout: 30_000 })
    // ffmpeg sends a keyframe every 60 frames at 30 fps.
    await page.getByTestId("keyframe-interval").filter({ hasText: "2 s" }).waitFor({ timeout: 45_000 })
    // The chart has the session's samples from the log (its label counts them).
    await page
      .getByRole("img", { name: /Bitrate .* over the latest session\. ([3-9]|\d\d+) points/ })
      .waitFor({ timeout: 45_000 })
    await shoot(page, "livestream")

    await page.getByRole("button", { name: "Disable" }).click()
    await page.getByText("DISABLED", { exact: true }).waitFor({ timeout: 15_000 })
    await page.getByRole("button", { name: "Enable" }).waitFor()
    // Disabling ends the publish: the page follows it off LIVE.
    await page.getByTestId("status").filter({ hasNotText: "LIVE" }).waitFor({ timeout: 30_000 })
    const disabled = await job.api("GET", `/livestreams/${id}`)
    assert.strictEqual(disabled.body.data.livestream.disabled, "disabled")

    await page.getByRole("link", { name: "Webhooks" }).click()
    await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor()
    await page.getByTestId("attempt").filter({ hasText: "200" }).first().waitFor({ timeout: 30_000 })
    assert.isAbove(receiver.received.length, 0)
    await shoot(page, "webhooks")

    await page.getByRole("link", { name: "Livestreams" }).click()
    await page.getByLabel("Search").fill("launch")
    await page.locator(`tr[data-livestream="${id}"]`).waitFor()
    await page.getByLabel("Search").fill("no such livestream")
    await page.getByText("No livestreams match.").waitFor()
    await page.getByLabel("Search").fill("")
    await page.locator(`tr[data-livestream="${id}"]`).waitFor()
    await shoot(page, "livestreams")

    await page.getByRole("link", { name: "Analytics" }).click()
    await page.getByRole("heading", { name: "Analytics" }).waitFor()
    await page.getByText("Sessions per day").waitFor()
    await shoot(page, "analytics")
    await page.close()
    assert.deepStrictEqual(offOrigin, [], "the dashboard fetches nothing from elsewhere")
    assert.deepStrictEqual(accessibility, [], "WCAG 2.1 A and AA, as axe checks them")
  })

  it("renames a livestream, rotates its key (shown once), and deletes it after a confirmation", async () => {
    const page = await newPage()
    await signIn(page)
    await page.getByLabel("New livestream name").fill("To manage")
    await page.getByRole("button", { name: "Create livestream" }).click()
    await page.getByRole("heading", { name: /To manage/ }).waitFor()
    const id = decodeURIComponent(new URL(page.url()).hash.split("/")[2] ?? "")
    const before = (await job.api("GET", `/livestreams/${id}`)).body.data.livestream.stream_key

    await page.getByRole("button", { name: "Rename" }).click()
    await page.getByLabel("New name").fill("Managed")
    await page.getByRole("button", { name: "Save name" }).click()
    await page.getByRole("heading", { name: /Managed/ }).waitFor()
    assert.strictEqual((await job.api("GET", `/livestreams/${id}`)).body.data.livestream.name, "Managed")

    // The latency mode and the DVR window: shown, and changed from the page.
    await page.getByLabel("Latency").selectOption("low")
    await waitFor("latency_mode low", async () =>
      (await job.api("GET", `/livestreams/${id}`)).body.data.livestream.latency_mode === "low" ? true : undefined
    )
    await page.getByLabel("DVR").selectOption("3600")
    await waitFor("dvr_window_seconds 3600", async () =>
      (await job.api("GET", `/livestreams/${id}`)).body.data.livestream.dvr_window_seconds === 3600 ? true : undefined
    )
    assert.strictEqual(await page.getByLabel("Latency").inputValue(), "low")
    // Realtime: the page shows where WebRTC players send their offer.
    await page.getByLabel("Latency").selectOption("realtime")
    const whepUrl = await waitFor(
      "whep_url",
      async () => (await job.api("GET", `/livestreams/${id}`)).body.data.livestream.whep_url
    )
    await page.getByText(whepUrl).waitFor()

    await page.getByRole("button", { name: "Rotate stream key" }).click()
    const shown = ((await page.getByTestId("new-key").textContent()) ?? "").trim()
    const after = (await job.api("GET", `/livestreams/${id}`)).body.data.livestream.stream_key
    assert.strictEqual(shown, after)
    assert.notStrictEqual(after, before)
    await page.getByRole("button", { name: "Done" }).click()
    assert.strictEqual(await page.getByTestId("new-key").count(), 0, "shown once")

    await page.getByRole("button", { name: "Delete" }).click()
    assert.strictEqual(
      (await job.api("GET", `/livestreams/${id}`)).status,
      200,
      "nothing is deleted before the confirmation"
    )
    await page.getByRole("button", { name: "Yes, delete it" }).click()
    await page.getByRole("heading", { name: "Livestreams" }).waitFor()
    assert.strictEqual((await job.api("GET", `/livestreams/${id}`)).status, 404)
    await page.close()
  })

  it("fits a phone's screen", async () => {
    const page = await newPage({ width: 390, height: 844 })
    await signIn(page)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.isAtMost(overflow, 0, "no sideways scrolling")
    await shoot(page, "livestreams-phone")
    await page.close()
    assert.deepStrictEqual(
      accessibility.filter((v) => v.startsWith("livestreams-phone")),
      []
    )
  })

  it("renders the API reference from the OpenAPI document, tries a request with a token, and fetches nothing from elsewhere", async () => {
    const page = await newPage()
    await page.goto(`${job.url}/docs`)
    await page.getByText("Create an independent livestream").first().waitFor({ timeout: 30_000 })
    await page.screenshot({ path: Path.join(screenshots, "api-reference.png") })
    // Operations of a tag show once it is opened.
    await page.getByRole("complementary").getByText("Webhooks", { exact: true }).first().click()
    await page.getByText("Follow the event feed").first().waitFor()

    // A request tried from the page, against this server, with the reader's token.
    const list = `/accounts/{account_id}/realtime/kit/{app_id}/livestreams`
    await page.goto(`${job.url}/docs#tag/livestreams/GET${list}`)
    await page
      .locator("button")
      .filter({ hasText: `Test Request(get ${list})` })
      .first()
      .click()
    const client = page.getByRole("dialog")
    await client.waitFor()
    await client.getByLabel("Token").or(client.getByPlaceholder("Token")).first().click()
    await page.keyboard.type(job.token)
    // The path's examples replaced by the job's account and app; the example filters left out.
    for (const [example, value] of [
      ["023e105f4ecef8ad9ca31a8372d0c353", job.account],
      ["14a396e7-ca44-4937-bf1f-050a69118543", job.app]
    ] as const) {
      await client.getByText(example, { exact: true }).first().click()
      await page.keyboard.press("Control+A")
      await page.keyboard.type(value)
    }
    for (const name of ["start_time", "end_time", "search", "status", "exclude_meetings", "sort_order"]) {
      const include = client.getByLabel(`Include ${name} in request`).first()
      if ((await include.count()) > 0 && (await include.isChecked())) await include.uncheck()
    }
    const tried = page.waitForResponse((response) =>
      response.url().startsWith(`${job.url}/accounts/${job.account}/realtime/kit/${job.app}/livestreams`)
    )
    await client.getByRole("button", { name: /^Send/ }).first().click()
    const answered = await tried
    assert.strictEqual(answered.status(), 200)
    assert.strictEqual(answered.request().headers()["authorization"], `Bearer ${job.token}`)
    assert.strictEqual(JSON.parse(await answered.text()).success, true)
    await page.close()
    assert.deepStrictEqual(offOrigin, [], "the reference fetches nothing from elsewhere")
  })
})
