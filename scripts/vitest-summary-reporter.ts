/**
 * Prints the plain closing line CI tooling reads: `Tests: N passed, N failed, N skipped`, and, when
 * `ONAIR_TEST_FAILURES` names a file, adds to it a line per failed test, failed file and unhandled error, so
 * `scripts/test.sh` can repeat every run's failures last, where a log's tail shows them.
 */
import { appendFileSync } from "node:fs"
import type { Reporter, SerializedError, TestModule } from "vitest/node"

const firstLine = (error: SerializedError | undefined): string =>
  (error?.message ?? String(error)).split("\n")[0]?.slice(0, 300) ?? ""

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    const failures: Array<string> = []
    for (const module of testModules) {
      for (const error of module.errors()) failures.push(`FAIL ${module.moduleId}: ${firstLine(error)}`)
      for (const test of module.children.allTests()) {
        const result = test.result()
        if (result.state === "passed") passed++
        else if (result.state === "failed") {
          failed++
          failures.push(`FAIL ${module.moduleId} > ${test.fullName}: ${firstLine(result.errors?.[0])}`)
        } else skipped++
      }
    }
    for (const error of unhandledErrors) failures.push(`UNHANDLED ${firstLine(error)}`)
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`)
    const file = process.env["ONAIR_TEST_FAILURES"]
    if (file !== undefined && failures.length > 0) appendFileSync(file, `${failures.join("\n")}\n`)
  }
}
