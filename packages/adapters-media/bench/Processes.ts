/**
 * CPU and memory of processes, from /proc, for the media benchmarks: a sample is the CPU share of a core
 * each group used over a few seconds, and its resident memory at the end.
 */
import * as Fs from "node:fs"
import { sleep } from "@onair/test-support"

/** CPU seconds (user + system) a process has used, and its resident memory in MB. */
export const usage = (pid: number) => {
  const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  const ticks = Number(fields[11]) + Number(fields[12])
  const rss = /VmRSS:\s+(\d+)/.exec(Fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]
  return { cpu: ticks / 100, rssMb: Number(rss ?? 0) / 1024 }
}
/**
 * CPU seconds a process has run, to the nanosecond, over all its threads (each thread's
 * `/proc/<pid>/task/<tid>/schedstat`: the process's own counts its main thread only; `usage` counts 10 ms
 * ticks). A thread that ended meanwhile drops out of the sum.
 */
export const cpuSeconds = (pid: number) =>
  Fs.readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => {
    const path = `/proc/${pid}/task/${tid}/schedstat`
    return sum + (Fs.existsSync(path) ? Number(Fs.readFileSync(path, "utf8").split(" ")[0]) / 1e9 : 0)
  }, 0)

/** The processes whose parent is `pid` (nginx's worker and cache manager). */
export const children = (pid: number): Array<number> =>
  Fs.readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      const path = `/proc/${name}/stat`
      const stat = Fs.existsSync(path) ? Fs.readFileSync(path, "utf8") : ""
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid
    })
    .map(Number)

/** CPU share of a core and memory of each group of processes over `seconds`. */
export const sampleCpu = async (groups: Record<string, ReadonlyArray<number>>, seconds: number) => {
  const total = (pids: ReadonlyArray<number>) =>
    pids.reduce(
      (sum, pid) => {
        const u = usage(pid)
        return { cpu: sum.cpu + u.cpu, rssMb: sum.rssMb + u.rssMb }
      },
      { cpu: 0, rssMb: 0 }
    )
  const before = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, total(pids)]))
  await sleep(seconds * 1000)
  return Object.fromEntries(
    Object.entries(groups).map(([name, pids]) => {
      const after = total(pids)
      return [name, { cpuPercent: ((after.cpu - before[name]!.cpu) / seconds) * 100, rssMb: after.rssMb }]
    })
  )
}
