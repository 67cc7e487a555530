"""Benchmark: MinHash signatures of many short Chinese segments, simtool.match.sketch vs datasketch.

Data: segments made deterministically (``--seed``) from the sentences of ``corpora/seeds/*.txt`` (split on
。；and line breaks, at least 5 characters), 10 % of them joined with a second sentence, each with a Poisson(2)
number of random character edits (substitute / insert / delete, characters drawn from the seeds), cut to
300 characters. Metric: wall-clock seconds from the list of strings to the (segments x num_perm) signature
matrix. datasketch runs on a ``--peer-sample`` of the same segments (same hash function, same shingles, same
scheme) and its time is extrapolated linearly to all segments; its rows are checked to equal ours.

    python benchmarks/bench_signatures.py --segments 1000000 --peer-sample 20000 \
        --output benchmarks/results/signatures.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shlex
import sys
import time
from pathlib import Path

import datasketch
import numpy as np

from simtool.match import sketch

ROOT = Path(__file__).resolve().parent.parent
SCHEMES: tuple[sketch.Scheme, ...] = ("affine32", "legacy")


def make_segments(count: int, seed: int) -> list[str]:
    """``count`` segments sampled from the seed sentences with random edits (deterministic in ``seed``)."""
    sentences: list[str] = []
    for path in sorted((ROOT / "corpora" / "seeds").glob("*.txt")):
        parts = re.split(r"[。；\n]", path.read_text(encoding="utf-8"))
        sentences += [p.strip() for p in parts if len(p.strip()) >= 5]
    alphabet = sorted(set("".join(sentences)))
    rng = np.random.default_rng(seed)
    first = rng.integers(0, len(sentences), count)
    second = rng.integers(0, len(sentences), count)
    joined = rng.random(count) < 0.1
    edits = rng.poisson(2, count)
    out: list[str] = []
    for i in range(count):
        text = sentences[first[i]] + ("，" + sentences[second[i]] if joined[i] else "")
        if edits[i]:
            chars = list(text)
            for pos, op, c in zip(
                rng.random(edits[i]), rng.integers(0, 3, edits[i]), rng.integers(0, len(alphabet), edits[i])
            ):
                at = int(pos * len(chars))
                if op == 0:
                    chars[at] = alphabet[c]
                elif op == 1:
                    chars.insert(at, alphabet[c])
                elif len(chars) > 5:
                    del chars[at]
            text = "".join(chars)
        out.append(text[:300])
    return out


def time_simtool(
    segments: list[str], scheme: sketch.Scheme, num_perm: int, repeat: int
) -> tuple[list[float], dict[str, float]]:
    """Wall times of ``repeat`` runs of ``signatures``, and one more run split into its two stages."""
    runs: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        sig = sketch.signatures(segments, num_perm=num_perm, scheme=scheme)
        runs.append(time.perf_counter() - start)
        del sig
    start = time.perf_counter()
    hashes, offsets = sketch._flat_char_hashes(segments, sketch.DEFAULT_NGRAM, sketch._workers(None))
    mid = time.perf_counter()
    a, b = sketch.permutations(num_perm, scheme=scheme)
    sketch.signatures_from_hashes(hashes, offsets, a, b, scheme=scheme)
    end = time.perf_counter()
    return runs, {"shingle hashes (join, encode, Murmur3)": mid - start, "signatures_from_hashes": end - mid}


def time_datasketch(sample: list[str], scheme: sketch.Scheme, num_perm: int) -> tuple[float, float, np.ndarray]:
    """Seconds to build the shingle byte lists, seconds for ``MinHash.bulk``, and the rows."""
    start = time.perf_counter()
    data = [[s.encode("utf-32-le") for s in sketch.char_shingles(t)] for t in sample]
    mid = time.perf_counter()
    mhs = datasketch.MinHash.bulk(
        data, num_perm=num_perm, seed=sketch.DEFAULT_SEED, hashfunc=sketch.shingle_hash_bytes, scheme=scheme
    )
    end = time.perf_counter()
    return mid - start, end - mid, np.array([m.hashvalues for m in mhs], dtype=np.uint64)


def machine() -> str:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem = next((ln.split()[1] for ln in meminfo if ln.startswith("MemTotal")), "?")
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem_gb = f"{int(mem) / 2**20:.1f} GiB" if mem.isdigit() else "?"
    return (
        f"nproc {os.cpu_count()}, memory {mem_gb}, CPU {cpu}; Python {platform.python_version()}, "
        f"numpy {np.__version__}, datasketch {datasketch.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--peer-sample", type=int, default=20_000, help="segments given to datasketch")
    parser.add_argument("--num-perm", type=int, default=sketch.DEFAULT_NUM_PERM)
    parser.add_argument("--seed", type=int, default=0, help="seed of the segment generator")
    parser.add_argument("--repeat", type=int, default=1, help="simtool runs; the best is reported")
    parser.add_argument("--output", type=Path, help="also write the results as markdown to this file")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    segments = make_segments(args.segments, args.seed)
    lengths = np.fromiter(map(len, segments), np.int64, len(segments))
    print(
        f"generated {len(segments):,} segments in {time.perf_counter() - t0:.1f} s "
        f"(mean {lengths.mean():.1f} chars, max {lengths.max()})",
        file=sys.stderr,
    )
    sample = segments[: min(args.peer_sample, len(segments))]
    scale = len(segments) / max(1, len(sample))

    rows: list[tuple[str, int, float, str]] = []
    notes: list[str] = []
    simtool_best: dict[str, float] = {}
    for scheme in SCHEMES:
        runs, stages = time_simtool(segments, scheme, args.num_perm, args.repeat)
        simtool_best[scheme] = min(runs)
        rows.append((f"simtool `signatures` ({scheme})", len(segments), min(runs), f"measured, best of {len(runs)}"))
        notes.append(
            f"simtool {scheme}: runs "
            + ", ".join(f"{r:.2f}" for r in runs)
            + " s; stages of one more run: "
            + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items())
        )
        prep, bulk, peer_rows = time_datasketch(sample, scheme, args.num_perm)
        same = np.array_equal(peer_rows, sketch.signatures(sample, num_perm=args.num_perm, scheme=scheme))
        rows.append(
            (
                f"datasketch `MinHash.bulk` ({scheme})",
                len(segments),
                bulk * scale,
                f"extrapolated ×{scale:g} from {len(sample):,}",
            )
        )
        notes.append(
            f"datasketch {scheme} on {len(sample):,}: shingle bytes {prep:.2f} s (not counted), "
            f"bulk {bulk:.2f} s; rows identical to simtool's: {'yes' if same else 'NO'}"
        )
        if not same:
            print(f"error: datasketch rows differ from simtool's for scheme {scheme}", file=sys.stderr)
            return 1

    lines = ["| method | segments | seconds | segments/s | × simtool time | how |", "|---|---:|---:|---:|---:|---|"]
    for name, count, secs, how in rows:
        label = name[name.rindex("(") + 1 : -1]
        lines.append(
            f"| {name} | {count:,} | {secs:.2f} | {count / secs:,.0f} | {secs / simtool_best[label]:.1f} | {how} |"
        )
    table = "\n".join(lines)
    print(table)
    print("\n".join(f"- {n}" for n in notes), flush=True)
    if args.output:
        command = "python " + " ".join(shlex.quote(a) for a in [os.path.relpath(__file__, ROOT), *sys.argv[1:]])
        text = (
            f"# MinHash signatures: simtool.match.sketch vs datasketch\n\n"
            f"Command (from the repository root): `{command}`\n\n"
            f"Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}\n\n"
            f"Machine: {machine()}\n\n"
            f"Data: {len(segments):,} generated segments (seed {args.seed}), mean {lengths.mean():.1f} chars, "
            f"char {sketch.DEFAULT_NGRAM}-grams, {args.num_perm} permutations. "
            f'"× simtool time" = seconds / simtool\'s seconds for the same scheme. '
            f"simtool hashes all n-grams of all segments at once on one UTF-32 code point array, then "
            f"computes the permutations and minima in cache-sized blocks of segments with similar "
            f"lengths on {sketch._workers(None)} threads (legacy: once per distinct hash, then gathered).\n\n"
            f"{table}\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
        )
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
