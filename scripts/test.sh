#!/usr/bin/env bash
# `pnpm test` (what `./onair test` runs): lint and format (Biome, `pnpm lint`), type checks, then every
# test, in three runs (below). The release test (packs, publishes to a registry, installs) runs on its own
# after the rest, so it never takes the cores the media tests' encoders need. With arguments (a file, a filter), one run takes
# them with every project in reach.
set -uo pipefail
biome check --error-on-warnings . || { echo "lint: run 'pnpm format' for the format findings; fix the rest" >&2; exit 1; }
turbo run typecheck || exit $?
if [ $# -gt 0 ]; then
  ONAIR_TEST_RELEASE=with vitest run "$@"
  exit $?
fi
# Files that run encoders, media servers' real-time work or a browser take one worker at a time: they share
# the cores with their encoders, and WHIP's UDP range is one per machine. Every other file (unit,
# integration, and end-to-end ones with a database or main job of their own on free ports) takes both cores.
real_time=(packages/adapters-media/test/*.e2e.test.ts packages/dashboard/test/*.e2e.test.ts
  apps/api/test/Observability.e2e.test.ts packages/adapters-webhook/test/Webhooks.e2e.test.ts)
# (vitest matches --exclude within each project's folder: by file name, which the files keep unique.)
vitest run --maxWorkers=2 --exclude '**/node_modules/**' "${real_time[@]/#*\//--exclude=**/}"
parallel=$?
vitest run --maxWorkers=1 "${real_time[@]}"
serial=$?
ONAIR_TEST_RELEASE=only vitest run
release=$?
[ $parallel -eq 0 ] && [ $serial -eq 0 ] && [ $release -eq 0 ]
