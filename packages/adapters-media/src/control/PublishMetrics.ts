/**
 * Publishes for `/metrics`, counted where the control plane decides them (whichever node asked):
 * accepted, or refused with the reason given to the node (the decider's typed refusals, or `unknown key`,
 * `publish not decided`).
 */
import { Effect, Metric } from "effect"

export const publishes = Metric.counter("onair_publishes_total", {
  description: "Publish attempts decided, by outcome (accepted or refused) and the refusal's reason.",
  incremental: true
})

export const record = (answer: { readonly _tag: "Accepted" } | { readonly _tag: "Refused"; readonly reason: string }) =>
  Metric.update(
    Metric.withAttributes(
      publishes,
      answer._tag === "Accepted" ? { outcome: "accepted", reason: "" } : { outcome: "refused", reason: answer.reason }
    ),
    1
  ).pipe(Effect.asVoid)
