/**
 * The process's own gauges for `/metrics`: resident memory, the V8 heap, CPU time, start time, and the
 * event loop's delay (its median, 99th percentile and maximum since the previous scrape, sampled every
 * 10 ms by Node's `monitorEventLoopDelay`).
 */
import { Effect } from "effect"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { family } from "./PrometheusText.ts"

const NANOS = 1e9

/** Starts the event-loop monitor for the life of the layer; gives the scrape's sampler. */
export const make = Effect.gen(function* () {
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  yield* Effect.addFinalizer(() => Effect.sync(() => delay.disable()))
  const startedAt = Math.round((Date.now() - process.uptime() * 1000) / 1000)
  return Effect.sync(() => {
    const memory = process.memoryUsage()
    const cpu = process.cpuUsage()
    const text = [
      family("process_resident_memory_bytes", "gauge", "Resident memory of this process.", [{ value: memory.rss }]),
      family("nodejs_heap_used_bytes", "gauge", "V8 heap in use.", [{ value: memory.heapUsed }]),
      family("nodejs_heap_total_bytes", "gauge", "V8 heap reserved.", [{ value: memory.heapTotal }]),
      family("process_cpu_seconds_total", "counter", "CPU time this process used (user and system).", [
        { value: (cpu.user + cpu.system) / 1e6 }
      ]),
      family("process_start_time_seconds", "gauge", "When this process started, Unix seconds.", [{ value: startedAt }]),
      family("nodejs_eventloop_delay_seconds", "gauge", "Event-loop delay since the previous scrape, by quantile.", [
        { labels: { quantile: "0.5" }, value: delay.count === 0 ? 0 : delay.percentile(50) / NANOS },
        { labels: { quantile: "0.99" }, value: delay.count === 0 ? 0 : delay.percentile(99) / NANOS },
        { labels: { quantile: "1" }, value: delay.count === 0 ? 0 : delay.max / NANOS }
      ])
    ].join("")
    delay.reset()
    return text
  })
})
