/**
 * Gauges sampled when `/metrics` is scraped, written in the Prometheus text format (0.0.4) beside Effect's
 * own metrics: for values read from the database or the process at that moment, whose label sets (one
 * per connected publisher, say) must not stay in a registry after they are gone.
 */

export interface Sample {
  readonly labels?: Readonly<Record<string, string>>
  readonly value: number
}

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

const formatValue = (value: number) =>
  Number.isNaN(value) ? "NaN" : value === Infinity ? "+Inf" : value === -Infinity ? "-Inf" : String(value)

/** One metric family: its help, its type, and a line per sample. */
export const family = (name: string, type: "gauge" | "counter", help: string, samples: ReadonlyArray<Sample>): string => {
  const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`]
  for (const sample of samples) {
    const labels = Object.entries(sample.labels ?? {})
    const labelText = labels.length === 0 ? "" : `{${labels.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(",")}}`
    lines.push(`${name}${labelText} ${formatValue(sample.value)}`)
  }
  return `${lines.join("\n")}\n`
}
