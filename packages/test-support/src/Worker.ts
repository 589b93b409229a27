/** The webhook worker on its own (`apps/worker`), as a PostgreSQL deployment runs it. */
import { type ChildProcess, spawn } from "node:child_process"
import * as Path from "node:path"

export const WORKER = Path.resolve(import.meta.dirname, "../../../apps/worker/src/main.ts")

/**
 * A webhook worker process on the database, with the deployment key its secrets are stored under, free to
 * deliver to loopback receivers; `env` adds or overrides settings.
 */
export const startWorker = (databaseUrl: string, secretKey: string, env: Record<string, string> = {}): ChildProcess =>
  spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      ONAIR_OUTBOUND_ALLOWLIST: "127.0.0.1/32",
      ONAIR_SECRET_KEY: secretKey,
      ...env
    },
    stdio: "ignore"
  })
