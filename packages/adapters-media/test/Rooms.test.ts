/**
 * The media plane in two rooms (and the protocol between them): `src/control` runs in the control plane,
 * `src/node` on the media nodes, `src/protocol` is what they say to each other. A node never imports
 * control code: nothing under `src/node` or `src/protocol` imports `src/control`, the command path
 * (`@onair/application`) or the read models (`@onair/catalog`); the protocol imports only the core.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { assert, describe, it } from "vitest"

const SRC = Path.join(import.meta.dirname, "..", "src")
/** `import … from "x"`, `export … from "x"`, `import "x"` and `import("x")`. */
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^"';]*?from\s+["']([^"']+)["']|(?:^|\n)\s*import\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g

const importsIn = (room: string): Array<{ readonly file: string; readonly from: string }> =>
  Fs.readdirSync(Path.join(SRC, room))
    .filter((name) => name.endsWith(".ts"))
    .flatMap((name) =>
      [...Fs.readFileSync(Path.join(SRC, room, name), "utf8").matchAll(IMPORT)].map((match) => ({
        file: `${room}/${name}`,
        from: match[1] ?? match[2] ?? match[3] ?? ""
      }))
    )

describe("the media plane's rooms", () => {
  it("has a room for each process and the protocol between them", () => {
    assert.deepStrictEqual(
      Fs.readdirSync(SRC, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort(),
      ["control", "node", "protocol"]
    )
  })

  it("a node imports no control code", () => {
    const found = [...importsIn("node"), ...importsIn("protocol")].filter(
      ({ from }) =>
        from.includes("/control/") ||
        from === "@onair/application" ||
        from === "@onair/catalog" ||
        from === "@onair/coordination"
    )
    assert.deepStrictEqual(found, [])
  })

  it("the protocol imports only the core", () => {
    const found = importsIn("protocol").filter(({ from }) => from !== "@onair/core" && from !== "effect")
    assert.deepStrictEqual(found, [])
  })

  it("finds the imports it checks", () => {
    // The check would pass on a pattern that matched nothing: the node's supervisor imports its workers.
    assert.isAbove(importsIn("node").filter(({ from }) => from.startsWith("./")).length, 50)
    assert.isAbove(importsIn("control").filter(({ from }) => from.startsWith("../node/")).length, 3)
  })
})
