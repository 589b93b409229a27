/** The npm package `parse-prometheus-text-format` ships no types: the shape it answers. */
declare module "parse-prometheus-text-format" {
  interface PrometheusSample {
    readonly value?: string
    readonly labels?: Readonly<Record<string, string>>
    readonly buckets?: Readonly<Record<string, string>>
    readonly count?: string
    readonly sum?: string
  }
  interface PrometheusFamily {
    readonly name: string
    readonly help: string
    readonly type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED"
    readonly metrics: ReadonlyArray<PrometheusSample>
  }
  const parse: (text: string) => ReadonlyArray<PrometheusFamily>
  export default parse
}
