import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    // The release test (it packs, publishes and installs) runs on its own after the rest (scripts/test.sh),
    // so it never takes the cores the media tests' encoders need.
    projects: {
      only: ["packages/release"],
      with: ["packages/*", "apps/*"]
    }[process.env["ONAIR_TEST_RELEASE"] ?? ""] ?? ["packages/*", "apps/*", "!packages/release"],
    reporters: ["default", "./scripts/vitest-summary-reporter.ts"]
  }
})
