/**
 * Where finished recordings are stored, from the environment: the media node's disk (the default: the
 * files stay in `<media>/recordings/<id>/`), or an S3-compatible bucket:
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `ONAIR_RECORDING_S3_BUCKET` | (none: local disk) | the bucket recordings are uploaded to |
 * | `ONAIR_RECORDING_S3_PREFIX` | `` | prepended to every key (`<prefix>recordings/<id>/recording.mp4`) |
 * | `ONAIR_RECORDING_S3_ENDPOINT` | AWS | an S3-compatible server's URL (MinIO, Ceph, R2, …) |
 * | `ONAIR_RECORDING_S3_REGION` | `us-east-1` | the bucket's region |
 * | `ONAIR_RECORDING_S3_PATH_STYLE` | `false` | `true`: `endpoint/bucket/key` addressing |
 * | `ONAIR_RECORDING_S3_ACCESS_KEY_ID`, `ONAIR_RECORDING_S3_SECRET_ACCESS_KEY` | the SDK's chain | credentials |
 *
 * The media nodes upload (one PUT up to 64 MiB, the AWS SDK v3's managed multipart upload in 16 MiB parts
 * above); the
 * API signs short-lived GET URLs of the same objects for downloads. Both need the same settings. A failed
 * call is `StorageUnreachable`, whatever the cause (network, credentials, bucket): the node retries it.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { Upload } from "@aws-sdk/lib-storage"
import { getSignedUrl } from "@aws-sdk/s3-request-presigner"
import { LOCAL_STORAGE, type RecordingStorage } from "@onair/core"
import { Config, Context, Data, Effect, Layer, Option, Redacted } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"

export class StorageUnreachable extends Data.TaggedError("StorageUnreachable")<{ readonly message: string }> {}

/**
 * Files up to this size go in one PUT (fewer round trips; S3 takes 5 GB so); larger ones in parts, which
 * are retried alone and sent side by side.
 */
export const MULTIPART_FROM_BYTES = 64 * 1024 * 1024
/** Multipart part size: the SDK's minimum is 5 MiB; 16 MiB keeps a many-hour recording under 10,000 parts. */
export const PART_BYTES = 16 * 1024 * 1024
/** Parts in flight at once per file. */
const PART_QUEUE = 4

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".mp4": "video/mp4",
  ".m3u8": "application/vnd.apple.mpegurl",
  ".ts": "video/mp2t",
  ".jpg": "image/jpeg",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".srt": "application/x-subrip"
}

export const contentTypeOf = (file: string): string => CONTENT_TYPES[Path.extname(file)] ?? "application/octet-stream"

/** The folder's files that are the recording's (its media, poster, transcript), not the node's bookkeeping. */
const isRecordingFile = (file: string): boolean =>
  CONTENT_TYPES[Path.extname(file)] !== undefined && Path.basename(file) !== "assets.json"

export interface S3Settings {
  readonly bucket: string
  readonly keyPrefix: string
  readonly endpoint: string | null
  readonly region: string
  readonly pathStyle: boolean
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: Redacted.Redacted<string> } | null
}

/** Every file under `dir`, as paths relative to it (`recording.mp4`, `vod/0.ts`, …), sorted. */
export const filesUnder = (dir: string): ReadonlyArray<string> =>
  (Fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<Fs.Dirent>)
    .filter((entry) => entry.isFile())
    .map((entry) => Path.relative(dir, Path.join(entry.parentPath, entry.name)))
    .sort()

const unreachable = (cause: unknown) =>
  new StorageUnreachable({ message: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause) })

export class RecordingStore extends Context.Service<
  RecordingStore,
  {
    /** Where recordings go: `Local`, or `S3` with the bucket and prefix. */
    readonly storage: RecordingStorage
    /**
     * One attempt to upload the files of a finished recording's folder `dir` (`files`, or every file of the
     * recording's) under `<prefix><folder>/` (`folder`: `recordings/<id>`). Nothing to do on local storage.
     */
    readonly upload: (
      dir: string,
      folder: string,
      files?: ReadonlyArray<string>
    ) => Effect.Effect<void, StorageUnreachable>
    /** A GET URL of the object at `<prefix><path>`, valid for `seconds` (S3 only). */
    readonly presign: (path: string, seconds: number) => Effect.Effect<string, StorageUnreachable>
    /** A small object's text (a playlist), S3 only. */
    readonly readText: (path: string) => Effect.Effect<string, StorageUnreachable>
  }
>()("@onair/adapters-media/RecordingStore") {
  static readonly local = Layer.succeed(RecordingStore)(
    RecordingStore.of({
      storage: LOCAL_STORAGE,
      upload: () => Effect.void,
      presign: () =>
        Effect.fail(new StorageUnreachable({ message: "recordings are stored on the media nodes' disks" })),
      readText: () =>
        Effect.fail(new StorageUnreachable({ message: "recordings are stored on the media nodes' disks" }))
    })
  )

  static readonly s3 = (settings: S3Settings) =>
    Layer.effect(
      RecordingStore,
      Effect.acquireRelease(
        Effect.sync(
          () =>
            new S3Client({
              region: settings.region,
              forcePathStyle: settings.pathStyle,
              ...(settings.endpoint === null ? {} : { endpoint: settings.endpoint }),
              ...(settings.credentials === null
                ? {}
                : {
                    credentials: {
                      accessKeyId: settings.credentials.accessKeyId,
                      secretAccessKey: Redacted.value(settings.credentials.secretAccessKey)
                    }
                  }),
              // The node's own backoff retries across calls; inside one call, the SDK tries twice.
              maxAttempts: 2
            })
        ),
        (client) => Effect.sync(() => client.destroy())
      ).pipe(
        Effect.map((client) => {
          const key = (path: string) => `${settings.keyPrefix}${path}`
          const uploadFile = (file: string, objectKey: string) =>
            Effect.tryPromise({
              try: (signal) => {
                const size = Fs.statSync(file).size
                if (size < MULTIPART_FROM_BYTES) {
                  return client.send(
                    new PutObjectCommand({
                      Bucket: settings.bucket,
                      Key: objectKey,
                      Body: Fs.readFileSync(file),
                      ContentType: contentTypeOf(file)
                    }),
                    { abortSignal: signal }
                  )
                }
                const upload = new Upload({
                  client,
                  params: {
                    Bucket: settings.bucket,
                    Key: objectKey,
                    Body: Fs.createReadStream(file),
                    ContentType: contentTypeOf(file)
                  },
                  partSize: PART_BYTES,
                  queueSize: PART_QUEUE,
                  leavePartsOnError: false
                })
                signal.addEventListener("abort", () => void upload.abort())
                return upload.done()
              },
              catch: unreachable
            })
          return RecordingStore.of({
            storage: { _tag: "S3", bucket: settings.bucket, keyPrefix: settings.keyPrefix },
            upload: Effect.fn("RecordingStore.upload")(function* (
              dir: string,
              folder: string,
              only?: ReadonlyArray<string>
            ) {
              const files =
                only ?? (yield* Effect.try({ try: () => filesUnder(dir).filter(isRecordingFile), catch: unreachable }))
              // The MP4 last: once it is there, every file it names is.
              const ordered = [
                ...files.filter((file) => file !== "recording.mp4"),
                ...files.filter((file) => file === "recording.mp4")
              ]
              yield* Effect.forEach(ordered, (file) => uploadFile(Path.join(dir, file), key(`${folder}/${file}`)), {
                concurrency: 4,
                discard: true
              })
            }),
            presign: (path, seconds) =>
              Effect.tryPromise({
                try: () =>
                  getSignedUrl(client, new GetObjectCommand({ Bucket: settings.bucket, Key: key(path) }), {
                    expiresIn: seconds
                  }),
                catch: unreachable
              }),
            readText: (path) =>
              Effect.tryPromise({
                try: (signal) =>
                  client
                    .send(new GetObjectCommand({ Bucket: settings.bucket, Key: key(path) }), { abortSignal: signal })
                    .then((answer) => answer.Body?.transformToString("utf8") ?? ""),
                catch: unreachable
              })
          })
        })
      )
    )

  /** Local disk, or the bucket the environment names. */
  static readonly fromEnv = Layer.unwrap(
    Effect.gen(function* () {
      const bucket = yield* Config.option(Config.String("ONAIR_RECORDING_S3_BUCKET"))
      if (Option.isNone(bucket) || bucket.value.trim() === "") return RecordingStore.local
      const prefix = (yield* Config.String("ONAIR_RECORDING_S3_PREFIX").pipe(Config.withDefault(""))).replace(
        /^\/+/,
        ""
      )
      const accessKeyId = yield* Config.option(Config.String("ONAIR_RECORDING_S3_ACCESS_KEY_ID"))
      const secretAccessKey = yield* Config.option(Config.Redacted("ONAIR_RECORDING_S3_SECRET_ACCESS_KEY"))
      return RecordingStore.s3({
        bucket: bucket.value.trim(),
        keyPrefix: prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`,
        endpoint: Option.getOrNull(yield* Config.option(Config.String("ONAIR_RECORDING_S3_ENDPOINT"))),
        region: yield* Config.String("ONAIR_RECORDING_S3_REGION").pipe(Config.withDefault("us-east-1")),
        pathStyle: yield* Config.Boolean("ONAIR_RECORDING_S3_PATH_STYLE").pipe(Config.withDefault(false)),
        credentials:
          Option.isSome(accessKeyId) && Option.isSome(secretAccessKey)
            ? { accessKeyId: accessKeyId.value, secretAccessKey: secretAccessKey.value }
            : null
      })
    })
  )
}
