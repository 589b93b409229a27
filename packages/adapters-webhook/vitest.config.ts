import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "adapters-webhook",
    include: ["test/**/*.test.ts"],
    globalSetup: ["../test-support/src/PostgresSetup.ts"],
    testTimeout: 120_000,
    hookTimeout: 90_000
  }
})
