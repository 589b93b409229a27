import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "coordination",
    include: ["test/**/*.test.ts"],
    globalSetup: ["../test-support/src/PostgresSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
