/** A new database on the suite's PostgreSQL server (`postgresUrl`), with a way to drop it. */
import { execFileSync } from "node:child_process"
import { inject } from "vitest"

export interface FreshDatabase {
  readonly name: string
  readonly url: string
  readonly drop: () => void
}

export const freshDatabase = (prefix: string): FreshDatabase => {
  const admin = inject("postgresUrl")
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  execFileSync("psql", [admin, "-qc", `CREATE DATABASE ${name}`], { stdio: "ignore" })
  const url = new URL(admin)
  url.pathname = `/${name}`
  return {
    name,
    url: url.toString(),
    drop: () =>
      execFileSync("psql", [admin, "-qc", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: "ignore" })
  }
}
