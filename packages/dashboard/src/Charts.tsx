/** Line and bar charts on Chart.js, sized by their container, with a text fallback for screen readers. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip
} from "chart.js"
import { useEffect, useRef } from "react"

Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip
)

export interface Series {
  readonly label: string
  readonly values: ReadonlyArray<number>
  readonly color: string
  /** Plotted against the right-hand axis. */
  readonly right?: boolean
}

export const TimeChart = ({
  kind,
  title,
  labels,
  series
}: {
  readonly kind: "line" | "bar"
  readonly title: string
  readonly labels: ReadonlyArray<string>
  readonly series: ReadonlyArray<Series>
}) => {
  const canvas = useRef<HTMLCanvasElement>(null)
  const chart = useRef<Chart | null>(null)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is made once per kind; its data changes in the effect below
  useEffect(() => {
    if (canvas.current === null) return
    chart.current = new Chart(canvas.current, {
      type: kind,
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { beginAtZero: true, position: "left" },
          ...(series.some((s) => s.right)
            ? { y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } } }
            : {})
        }
      }
    })
    return () => chart.current?.destroy()
  }, [kind])
  useEffect(() => {
    const current = chart.current
    if (current === null) return
    current.data.labels = [...labels]
    current.data.datasets = series.map((s) => ({
      label: s.label,
      data: [...s.values],
      borderColor: s.color,
      backgroundColor: s.color,
      pointRadius: 0,
      yAxisID: s.right ? "y1" : "y"
    }))
    current.update()
  }, [labels, series])
  const latest = series.map((s) => `${s.label}: ${s.values.at(-1) ?? "none"}`).join(", ")
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div className="chart-area">
        <canvas ref={canvas} role="img" aria-label={`${title}. ${labels.length} points; latest ${latest}`} />
      </div>
    </figure>
  )
}
