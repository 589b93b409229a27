#!/usr/bin/env bash
# `pnpm test` (what `./onair test` runs): lint and format (Biome, `pnpm lint`), type checks, then every
# test. The release test (packs, publishes to a registry, installs) runs on its own after the rest, so it
# never takes the cores the media tests' encoders need. With arguments (a file, a filter), one run takes
# them with every project in reach.
set -uo pipefail
biome check --error-on-warnings . || { echo "lint: run 'pnpm format' for the format findings; fix the rest" >&2; exit 1; }
turbo run typecheck || exit $?
if [ $# -gt 0 ]; then
  ONAIR_TEST_RELEASE=with vitest run "$@"
  exit $?
fi
vitest run
main=$?
ONAIR_TEST_RELEASE=only vitest run
release=$?
[ $main -eq 0 ] && [ $release -eq 0 ]
