/**
 * Apps' slate images on a node: what counts as an image, and a bounded set of them (the least recently
 * asked for go first), so a node's memory and disk do not grow with every URL apps ever named.
 */
import { assert, describe, it } from "vitest"
import { imageKind, MAX_SLATE_IMAGES, SlateImages } from "../src/node/SlateImages.ts"

describe("slate images", () => {
  it("takes PNG and JPEG by their first bytes, and nothing else", () => {
    assert.strictEqual(imageKind(new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0])), "png")
    assert.strictEqual(imageKind(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])), "jpg")
    assert.isNull(imageKind(new TextEncoder().encode("<html>not an image</html>")))
    assert.isNull(imageKind(new Uint8Array([137, 80, 78])))
  })

  it(`keeps at most ${MAX_SLATE_IMAGES}, letting the least recently asked for go`, () => {
    const images = new SlateImages("/nonexistent")
    for (let n = 0; n < MAX_SLATE_IMAGES + 10; n++) images.want(`https://cdn.example.com/${n}.png`, n)
    assert.strictEqual(images.size, MAX_SLATE_IMAGES)
    assert.isFalse(images.holds("https://cdn.example.com/9.png"), "the first ten went")
    assert.isTrue(images.holds("https://cdn.example.com/10.png"))
    // Asking again for the oldest kept one keeps it over the next oldest.
    images.want("https://cdn.example.com/10.png", 1_000)
    images.want("https://cdn.example.com/new.png", 1_001)
    assert.strictEqual(images.size, MAX_SLATE_IMAGES)
    assert.isTrue(images.holds("https://cdn.example.com/10.png"))
    assert.isFalse(images.holds("https://cdn.example.com/11.png"))
    assert.isUndefined(images.fileOf("https://cdn.example.com/10.png"), "wanted, not fetched yet")
    assert.isUndefined(images.fileOf(null))
  })
})
