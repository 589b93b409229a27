import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "webhook-receiver",
    include: ["test/**/*.test.ts"]
  }
})
