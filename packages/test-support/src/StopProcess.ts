/**
 * How the tests stop a process they started: a signal (SIGTERM unless said), up to `graceMillis` for it to
 * exit, then SIGKILL (to its process group when it leads one: a media node and its nginx). Resolves once
 * it exited, or 5 s after the SIGKILL at the latest.
 */
import type { ChildProcess } from "node:child_process"
import { sleep } from "./Polling.ts"

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null

export const stopProcess = async (
  child: ChildProcess,
  options: { readonly signal?: NodeJS.Signals; readonly graceMillis: number; readonly group?: boolean }
): Promise<void> => {
  if (!alive(child)) return
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  child.kill(options.signal ?? "SIGTERM")
  await Promise.race([exited, sleep(options.graceMillis)])
  if (!alive(child)) return
  if (options.group === true) process.kill(-child.pid!, "SIGKILL")
  else child.kill("SIGKILL")
  await Promise.race([exited, sleep(5_000)])
}
