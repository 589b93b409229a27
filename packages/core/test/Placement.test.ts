/**
 * Placement: the least loaded node that may take the livestream, pins kept, full and refusing nodes
 * skipped, the same answer on every replica.
 */
import { assert, describe, it } from "@effect/vitest"
import { MediaNodeId } from "../src/Ids.ts"
import { ANY_NODE } from "../src/livestream/LivestreamValues.ts"
import { admits, chooseNode, type NodeCandidate } from "../src/node/Placement.ts"

const node = (id: string, streams: number, options: Partial<NodeCandidate> = {}): NodeCandidate => ({
  id: MediaNodeId.make(id),
  region: "eu-west",
  capacity: 10,
  streams,
  accepting: true,
  ...options
})

describe("Placement", () => {
  it("sends a new publisher to the least loaded node for its capacity", () => {
    assert.strictEqual(chooseNode(ANY_NODE, [node("a", 5), node("b", 2), node("c", 3)])?.id, "b")
    assert.strictEqual(chooseNode(ANY_NODE, [node("a", 5, { capacity: 100 }), node("b", 2)])?.id, "a")
  })

  it("breaks ties by node id, so every replica names the same node", () => {
    assert.strictEqual(chooseNode(ANY_NODE, [node("c", 1), node("a", 1), node("b", 1)])?.id, "a")
  })

  it("skips drained, lost and full nodes; none left is null", () => {
    assert.strictEqual(chooseNode(ANY_NODE, [node("a", 0, { accepting: false }), node("b", 10), node("c", 9)])?.id, "c")
    assert.strictEqual(chooseNode(ANY_NODE, [node("a", 0, { accepting: false }), node("b", 10)]), null)
  })

  it("keeps a pin to a node or a region", () => {
    const nodes = [node("a", 0), node("b", 5, { region: "us-east" }), node("c", 9, { region: "us-east" })]
    assert.strictEqual(chooseNode({ node: MediaNodeId.make("c"), region: null }, nodes)?.id, "c")
    assert.strictEqual(chooseNode({ node: null, region: "us-east" }, nodes)?.id, "b")
    assert.strictEqual(chooseNode({ node: null, region: "ap-south" }, nodes), null)
    assert.isTrue(admits({ node: null, region: "us-east" }, "b", "us-east"))
    assert.isFalse(admits({ node: MediaNodeId.make("c"), region: null }, "b", "us-east"))
  })
})
