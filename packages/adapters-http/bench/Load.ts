/**
 * A closed-loop HTTP load generator: `connections` keep-alive connections, each sending the next request
 * as soon as the last answered, for `seconds`. Reports requests per second and latency percentiles.
 */
import * as Http from "node:http"

export interface LoadFigures {
  readonly requests: number
  readonly perSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly errors: number
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN

export const load = (
  url: string,
  options: { readonly connections: number; readonly seconds: number; readonly headers?: Record<string, string> }
): Promise<LoadFigures> =>
  new Promise((resolve) => {
    const agent = new Http.Agent({ keepAlive: true, maxSockets: options.connections })
    const target = new URL(url)
    const latencies: Array<number> = []
    let errors = 0
    let running = options.connections
    const started = performance.now()
    const deadline = started + options.seconds * 1000
    const next = () => {
      if (performance.now() >= deadline) {
        if (--running === 0) {
          agent.destroy()
          const seconds = (performance.now() - started) / 1000
          const sorted = Float64Array.from(latencies).sort()
          resolve({
            requests: latencies.length,
            perSecond: latencies.length / seconds,
            p50Ms: percentile(sorted, 0.5),
            p99Ms: percentile(sorted, 0.99),
            errors
          })
        }
        return
      }
      const t0 = performance.now()
      const request = Http.request(target, { agent, headers: options.headers }, (response) => {
        response.on("data", () => undefined)
        response.on("end", () => {
          if (response.statusCode !== 200) errors++
          latencies.push(performance.now() - t0)
          next()
        })
      })
      request.on("error", () => {
        errors++
        next()
      })
      request.end()
    }
    for (let i = 0; i < options.connections; i++) next()
  })
