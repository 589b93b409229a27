/**
 * The PostgreSQL server the suite runs against: `ONAIR_TEST_DATABASE_URL` when set, otherwise the
 * throwaway server `scripts/postgres.sh` starts (and installs, when root). Each suite then makes its own
 * database on it.
 */
import { execFileSync } from "node:child_process"
import * as Path from "node:path"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    readonly postgresUrl: string
  }
}

export default function setup(project: TestProject) {
  const fromEnv = process.env.ONAIR_TEST_DATABASE_URL
  const url =
    fromEnv !== undefined && fromEnv !== ""
      ? fromEnv
      : execFileSync("bash", [Path.resolve(import.meta.dirname, "../../../scripts/postgres.sh")], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "inherit"]
        }).trim()
  project.provide("postgresUrl", url)
}
