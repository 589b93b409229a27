/**
 * Abstract steps of a simulation: what an encoder, an API user, a meeting engine, a viewer or the clock
 * does next. Entities are named by index and resolved against the world when the step runs, so random
 * sequences stay meaningful (publishing to livestream #2 publishes to whichever livestream is second).
 */
import fc from "fast-check"

export type Step =
  | { readonly _tag: "Create"; readonly window: number }
  | { readonly _tag: "CreateMeeting" }
  | { readonly _tag: "StartForMeeting"; readonly meeting: number; readonly window: number }
  | { readonly _tag: "StopForMeeting"; readonly meeting: number }
  | {
      readonly _tag: "MeetingActivity"
      readonly meeting: number
      readonly action: "open" | "close" | "join" | "leave" | "deactivate" | "activate"
      readonly participant: number
    }
  | { readonly _tag: "Publish"; readonly livestream: number; readonly key: "current" | "retired" | "unknown" }
  | { readonly _tag: "Unpublish"; readonly livestream: number }
  | { readonly _tag: "Health"; readonly livestream: number; readonly renditions: boolean }
  | { readonly _tag: "Manifest"; readonly livestream: number }
  | { readonly _tag: "PublishFailure"; readonly livestream: number }
  /** The media server the livestream's encoder is on dies. */
  | { readonly _tag: "MediaLost"; readonly livestream: number }
  | { readonly _tag: "Viewers"; readonly livestream: number; readonly seconds: number }
  | {
      readonly _tag: "Manage"
      readonly livestream: number
      readonly action: "disable" | "enable" | "rotate" | "rename" | "delete" | "stop" | "abort"
    }
  | { readonly _tag: "SetWindow"; readonly livestream: number; readonly seconds: number }
  | { readonly _tag: "Advance"; readonly seconds: number }
  | { readonly _tag: "FireDueTimers" }
  | { readonly _tag: "FireTimer"; readonly livestream: number; readonly timer: "reconnect" | "start" | "max" }

const index = fc.nat({ max: 7 })
const window = fc.constantFrom(0, 0, 5, 30, 60)

/** Weighted so that broadcasts happen: publishing, leaving and time passing dominate. */
export const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ _tag: fc.constant("Create" as const), window }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("CreateMeeting" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ _tag: fc.constant("StartForMeeting" as const), meeting: index, window })
  },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("StopForMeeting" as const), meeting: index }) },
  {
    weight: 2,
    arbitrary: fc.record({
      _tag: fc.constant("MeetingActivity" as const),
      meeting: index,
      action: fc.constantFrom("open", "close", "join", "join", "leave", "deactivate", "activate"),
      participant: fc.nat({ max: 3 })
    })
  },
  {
    weight: 8,
    arbitrary: fc.record({
      _tag: fc.constant("Publish" as const),
      livestream: index,
      key: fc.constantFrom("current", "current", "current", "retired", "unknown")
    })
  },
  { weight: 5, arbitrary: fc.record({ _tag: fc.constant("Unpublish" as const), livestream: index }) },
  {
    weight: 2,
    arbitrary: fc.record({ _tag: fc.constant("Health" as const), livestream: index, renditions: fc.boolean() })
  },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("Manifest" as const), livestream: index }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("PublishFailure" as const), livestream: index }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("MediaLost" as const), livestream: index }) },
  {
    weight: 2,
    arbitrary: fc.record({
      _tag: fc.constant("Viewers" as const),
      livestream: index,
      seconds: fc.integer({ min: 1, max: 600 })
    })
  },
  {
    weight: 4,
    arbitrary: fc.record({
      _tag: fc.constant("Manage" as const),
      livestream: index,
      action: fc.constantFrom("disable", "enable", "enable", "rotate", "rename", "delete", "stop", "abort")
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({ _tag: fc.constant("SetWindow" as const), livestream: index, seconds: window })
  },
  {
    weight: 6,
    arbitrary: fc.record({
      _tag: fc.constant("Advance" as const),
      seconds: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 20, max: 400 }))
    })
  },
  { weight: 4, arbitrary: fc.record({ _tag: fc.constant("FireDueTimers" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      _tag: fc.constant("FireTimer" as const),
      livestream: index,
      timer: fc.constantFrom("reconnect", "start", "max")
    })
  }
)

export const scenario = (maxLength: number): fc.Arbitrary<ReadonlyArray<Step>> =>
  // size "max": fast-check otherwise favours short arrays, and short runs rarely reach a reconnect.
  fc.array(step, { minLength: Math.min(20, maxLength), maxLength, size: "max" })
