/** What the tests wait with: a pause, a condition polled until it holds, a free loopback port. */
import { createServer } from "node:net"

/** Whether `port` can be bound on loopback now. */
const isFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer()
    server.once("error", () => resolve(false))
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)))
  })

/**
 * A port that is free now, for a listener a test names itself (a job's API, RTMP, RTMPS ports). It is
 * taken below the kernel's ephemeral range (32768 up on Linux), where every process's "any free port" comes
 * from: a port this process gives up until the job binds it cannot be taken meanwhile by another job's
 * nginx picking its loopback ports, which would keep that job from ever starting.
 */
export const freePort = async (): Promise<number> => {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    if (await isFree(port)) return port
  }
  throw new Error("no free port below the ephemeral range")
}

export const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/** Polls `probe` until it returns something other than undefined, or fails with what it saw last. */
export const waitFor = async <A>(what: string, probe: () => Promise<A | undefined>, timeoutMs = 20_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    await sleep(100)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? "" : `: ${String(last)}`}`)
}
