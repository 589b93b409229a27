/** The webhook seed's times: ISO 8601 in UTC to the second (`2023-10-16T12:35:08Z`). */
export const seedTime = (at: number): string => new Date(at - (at % 1000)).toISOString().replace(".000Z", "Z")

/** The seed's durations: whole seconds between two times, never negative. */
export const wholeSeconds = (from: number, to: number) => Math.max(0, Math.floor((to - from) / 1000))
