#!/usr/bin/env bash
# ./onair bench [name…]: every benchmark (or the named ones), one at a time so none shares the machine with
# another; each measures its own baseline in the same run and prints its ratios and targets. The run ends
# with one summary table of every measure with a target (scripts/bench-summary.ts).
set -uo pipefail
cd "$(dirname "$0")/.."

# name: the command that runs it (from the repository's root).
declare -A BENCHES=(
  [store]="pnpm --silent --filter @onair/event-store run bench"
  [http]="pnpm --silent --filter @onair/adapters-http run bench"
  [webhooks]="pnpm --silent --filter @onair/adapters-webhook run bench"
  [media]="pnpm --silent --filter @onair/adapters-media run bench"
  [nodes]="node packages/adapters-media/bench/nodes.ts"
  [recordings]="node packages/adapters-media/bench/recordings.ts"
  [restreams]="node packages/adapters-media/bench/restreams.ts"
  [latency]="node packages/adapters-media/bench/latency.ts"
  [composer]="node packages/adapters-media/bench/composer.ts"
  [timers]="node apps/api/bench/Timers.ts"
  [replicas]="node apps/api/bench/Replicas.ts"
  [scale]="node apps/api/bench/Scale.ts"
  [write-path]="node apps/api/bench/WritePath.ts"
  [creates]="node apps/api/bench/Creates.ts"
)
ORDER=(store creates http webhooks media latency composer nodes recordings restreams timers replicas scale write-path)

selected=("$@")
[ ${#selected[@]} -eq 0 ] && selected=("${ORDER[@]}")
for name in "${selected[@]}"; do
  if [ -z "${BENCHES[$name]+x}" ]; then echo "unknown benchmark $name (one of: ${ORDER[*]})" >&2; exit 2; fi
done

summary=$(mktemp "${TMPDIR:-/tmp}/onair-bench-XXXXXX")
trap 'rm -f "$summary"' EXIT
export ONAIR_BENCH_SUMMARY="$summary"
failed=()
for name in "${selected[@]}"; do
  echo
  echo "=== benchmark: $name ($(date -u +%H:%M:%S))"
  if ! bash -c "${BENCHES[$name]}"; then failed+=("$name"); fi
done
node scripts/bench-summary.ts "$summary" "${failed[@]}"
[ ${#failed[@]} -eq 0 ]
