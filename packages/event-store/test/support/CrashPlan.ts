/** What the crash test's writer does, shared by the writer and the test that checks its work. */
export const CONSUMER = "crash-consumer"
export const WRITERS = 4
export const EVENTS_PER_UNIT = 3
