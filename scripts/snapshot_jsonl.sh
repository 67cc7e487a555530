#!/usr/bin/env bash
# Writes the JSONL of every command on corpora/seeds into DIR (to compare two versions byte for byte).
#   scripts/snapshot_jsonl.sh DIR
set -euo pipefail
out=${1:?usage: scripts/snapshot_jsonl.sh DIR}
st=${SIMTOOL:-.venv/bin/simtool}
mkdir -p "$out"
db="$out/seeds.db"
rm -f "$db"*
S=corpora/seeds
$st ingest $S --db "$db" >/dev/null 2>&1
$st notices $S -f jsonl > "$out/notices.jsonl"
$st show "$S/000_80f6373e3b7370b3.txt#3" $S -f jsonl > "$out/show.jsonl"
for scope in cross within all; do $st dupes $S --scope $scope -f jsonl > "$out/dupes-$scope.jsonl"; done
$st dupes $S --view template -f jsonl > "$out/dupes-template.jsonl"
$st dupes --db "$db" -f jsonl > "$out/dupes-db.jsonl"
$st overlap $S -f jsonl > "$out/overlap.jsonl"
$st phrases $S -f jsonl > "$out/phrases.jsonl"
$st clusters $S -f jsonl > "$out/clusters.jsonl"
$st clusters $S --themes -f jsonl > "$out/themes.jsonl"
$st reuse $S -f jsonl > "$out/reuse.jsonl"
$st check $S/002_7d8fcde3e44e2eb6.txt --db "$db" -f jsonl > "$out/check.jsonl"
$st compare "$S/000_80f6373e3b7370b3.txt#1" "$S/000_80f6373e3b7370b3.txt#2" $S -f jsonl > "$out/compare.jsonl" || true
rm -f "$db"*
ls -la "$out" | awk '{print $5, $9}'
