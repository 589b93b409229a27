#!/usr/bin/env bash
# `pnpm test` (what `./onair test` runs): lint and format (Biome, `pnpm lint`), then every test in three
# runs (below), the type checks beside the second. The release test (packs, publishes to a registry,
# installs) runs on its own after the rest, so it never takes the cores the media tests' encoders need.
# With arguments (a file, a filter): the type checks, then one run with every project in reach.
set -uo pipefail
biome check --error-on-warnings . || { echo "lint: run 'pnpm format' for the format findings; fix the rest" >&2; exit 1; }
if [ $# -gt 0 ]; then
  turbo run typecheck || exit $?
  ONAIR_TEST_RELEASE=with vitest run "$@"
  exit $?
fi
# Three runs, then the release test. End-to-end files that share the machine in real time with encoders of
# their own take two workers: they wait on media more than they compute. Those that compute as they go (the
# ABR ladders' transcoders) or hold a machine-wide resource (WHIP's UDP range) take one at a time. The
# low-latency, WHEP, composer and dashboard tests' Chromium shows small pictures and mostly waits on real
# time (the WHEP test's UDP range is its own), and the transcript test's speech engine is a stand-in: they
# take two. Every other file (unit, integration, and end-to-end ones with a database or main job of their
# own on free ports) takes both cores.
real_time=(packages/adapters-media/test/MediaPlane.e2e.test.ts packages/adapters-media/test/MediaNodes.e2e.test.ts
  packages/adapters-media/test/Recordings.e2e.test.ts packages/adapters-media/test/RecordingsInBucket.e2e.test.ts
  packages/adapters-media/test/RecordingFinaliser.e2e.test.ts packages/adapters-media/test/Restreams.e2e.test.ts
  packages/adapters-media/test/Srt.e2e.test.ts packages/adapters-media/test/Security.e2e.test.ts
  packages/adapters-media/test/NodeApi.e2e.test.ts packages/adapters-media/test/MediaPieces.e2e.test.ts
  packages/adapters-webhook/test/Webhooks.e2e.test.ts apps/api/test/Observability.e2e.test.ts
  packages/adapters-media/test/LowLatency.e2e.test.ts packages/adapters-media/test/WhepPlayback.e2e.test.ts
  packages/adapters-media/test/Composer.e2e.test.ts packages/adapters-media/test/TranscriptEngines.e2e.test.ts
  packages/dashboard/test/Dashboard.e2e.test.ts)
one_at_a_time=(packages/adapters-media/test/Whip.e2e.test.ts packages/adapters-media/test/Renditions.e2e.test.ts)
apart=("${real_time[@]}" "${one_at_a_time[@]}")
for file in packages/adapters-media/test/*.e2e.test.ts packages/dashboard/test/*.e2e.test.ts; do
  [[ " ${apart[*]} " == *" $file "* ]] || { echo "test.sh: put $file in real_time or one_at_a_time" >&2; exit 1; }
done
# Every run's failures are repeated at the end (scripts/vitest-summary-reporter.ts), where a log's tail shows them.
ONAIR_TEST_FAILURES=$(mktemp)
export ONAIR_TEST_FAILURES
trap 'rm -f "$ONAIR_TEST_FAILURES"' EXIT
# (vitest matches --exclude within each project's folder: by file name, which the files keep unique.)
vitest run --maxWorkers=2 --exclude '**/node_modules/**' "${apart[@]/#*\//--exclude=**/}"
parallel=$?
# The type checks run beside the real-time media files, which wait on media more than they compute: one
# package at a time (a core's worth), their result counted with the runs' and printed at the end.
typecheck_log=$(mktemp)
trap 'rm -f "$ONAIR_TEST_FAILURES" "$typecheck_log"' EXIT
turbo run typecheck --concurrency=1 --output-logs=errors-only >"$typecheck_log" 2>&1 &
typecheck_pid=$!
vitest run --maxWorkers=2 "${real_time[@]}"
media=$?
wait $typecheck_pid
typecheck=$?
if [ $typecheck -ne 0 ]; then
  cat "$typecheck_log"
  echo "type checks: failed (turbo run typecheck)" >>"$ONAIR_TEST_FAILURES"
fi
vitest run --maxWorkers=1 "${one_at_a_time[@]}"
serial=$?
ONAIR_TEST_RELEASE=only vitest run
release=$?
if [ -s "$ONAIR_TEST_FAILURES" ]; then echo; echo "Failed, in all runs:"; cat "$ONAIR_TEST_FAILURES"; fi
echo "Exit codes: type checks $typecheck, parallel $parallel, real-time media $media, one at a time $serial, release $release"
[ $typecheck -eq 0 ] && [ $parallel -eq 0 ] && [ $media -eq 0 ] && [ $serial -eq 0 ] && [ $release -eq 0 ]
