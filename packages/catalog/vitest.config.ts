import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "catalog",
    include: ["test/**/*.test.ts"],
    globalSetup: ["../test-support/src/PostgresSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
