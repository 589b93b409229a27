/**
 * Debian's Chromium (`/usr/bin/chromium`, installed by scripts/browser.sh), driven by playwright-core: no
 * browser is downloaded. The flags keep it off the network it cannot reach (the machine's notes).
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { type Browser, chromium } from "playwright-core"

export const CHROMIUM = process.env["ONAIR_CHROMIUM"] ?? "/usr/bin/chromium"

/** Chromium's flags for a publisher: a fake camera and microphone, granted without asking, on loopback. */
export const FAKE_MEDIA_FLAGS = [
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  "--allow-loopback-in-peer-connection"
] as const

export const launchChromium = async (
  extraArgs: ReadonlyArray<string> = []
): Promise<{ readonly browser: Browser; readonly close: () => Promise<void> }> => {
  if (!Fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/browser.sh installs Debian's chromium`)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
      ...extraArgs
    ]
  })
  return {
    browser,
    // Playwright gives the browser a new empty profile and removes it on close.
    close: () => browser.close()
  }
}

/** Where screenshots go: `ONAIR_ARTIFACTS_DIR`, or `artifacts/` at the repository's root. */
export const artifactsDir = (): string => {
  const dir = process.env["ONAIR_ARTIFACTS_DIR"] ?? Path.resolve(import.meta.dirname, "../../../artifacts")
  const screenshots = Path.join(dir, "screenshots")
  Fs.mkdirSync(screenshots, { recursive: true })
  return screenshots
}
