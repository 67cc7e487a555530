#!/usr/bin/env bash
# dupes on the same generated corpus with the engine of two commits, one after the other, on this machine.
#   benchmarks/before_after.sh OLD_COMMIT CORPUS_DIR
# e.g. python benchmarks/synth.py --notices 1000 --out /tmp/syn1k && benchmarks/before_after.sh 9022f44 /tmp/syn1k/corpus/notices
set -euo pipefail
old=${1:?old commit}; corpus=${2:?corpus dir}
root=$(cd "$(dirname "$0")/.." && pwd)
py="$root/.venv/bin/python"
wt=$(mktemp -d)/old
git -C "$root" worktree add -q "$wt" "$old"
trap 'git -C "$root" worktree remove --force "$wt"' EXIT
echo "date: $(date -u); load: $(uptime)"
for side in old new; do
  if [ $side = old ]; then pp="$wt"; mod=simtool.cli; else pp="$root"; mod=simtool.cli.app; fi
  ( cd "$(dirname "$corpus")" && PYTHONPATH="$pp" /usr/bin/time -f "$side: %e s wall, %M KB peak RSS" \
      "$py" -m $mod dupes "$(basename "$corpus")" --scope cross --format jsonl > "/tmp/before_after_$side.jsonl" )
  echo "$side: $(wc -l < "/tmp/before_after_$side.jsonl") records"
done
