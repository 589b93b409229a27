import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "simulation",
    include: ["test/**/*.test.ts"],
    // Property runs are sized by ONAIR_SIM_RUNS; a large local run takes minutes.
    testTimeout: 600_000
  }
})
