import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "api",
    include: ["test/**/*.test.ts"],
    globalSetup: ["../../packages/test-support/src/PostgresSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 90_000
  }
})
