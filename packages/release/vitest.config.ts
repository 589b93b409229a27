import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "release",
    include: ["test/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 300_000
  }
})
