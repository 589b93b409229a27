/**
 * The media server as the control plane sees it: whether it is accepting publishers now. The status views
 * answer "provisioning"/"Starting" while it is not. The media adapter implements it; a deployment without
 * a media server uses `absent`.
 */
import { Context, Effect, Layer } from "effect"

export class MediaPlane extends Context.Service<
  MediaPlane,
  {
    readonly accepting: Effect.Effect<boolean>
  }
>()("@onair/core/MediaPlane") {
  /** No media server runs here: nothing can publish, every broadcast stays provisioning. */
  static readonly absent = Layer.succeed(MediaPlane)({ accepting: Effect.succeed(false) })
}
