"""Evaluate the monitoring domain pipeline on the labelled set and measure throughput.

Run from the repo root: ``.venv/bin/python bench/monitoring_eval.py`` or
``.venv/bin/python -m bench.monitoring_eval``. Writes ``bench/results/monitoring_eval.json``.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from services.monitoring.domain.dedup import DedupIndex, estimate_bytes_per_item  # noqa: E402
from services.monitoring.domain.pipeline import DATA_DIR, Item, Pipeline  # noqa: E402
from services.monitoring.domain.topics import TOPIC_IDS  # noqa: E402

EVAL_FILE = DATA_DIR / "eval" / "items.jsonl"
RESULTS = ROOT / "bench" / "results" / "monitoring_eval.json"


# Further labelled sets beside the evaluation set: file stem, and how it came to be.
SETS = [
    ("holdout", "hold-out set (written after tuning, never tuned on)"),
    ("blind", "blind set (another author, without the term lists; its first-look figures, "
              "before the term lists learned from it, are in data/README.md)"),
    ("blind2", "second blind set (another author, written after the first one taught the "
               "term lists; its first-look figures are in data/README.md)"),
    ("blind3", "third blind set (another author, written after the second one taught the "
               "term lists; its first-look figures are in data/README.md)"),
    ("blind4", "fourth blind set (another author, court and social-media styles, written "
               "after the third taught the term lists; first look in data/README.md)"),
    ("blind5", "fifth blind set (another author, after the fourth taught the term lists; "
               "measured only, never tuned on)"),
]


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp,
            "fp": fp, "fn": fn}


def load_items(path: Path = EVAL_FILE) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def to_item(rec: dict[str, Any], seen_at: float = 0.0) -> Item:
    published = datetime.fromisoformat(rec["published"]) if rec.get("published") else None
    return Item(rec["id"], rec.get("title", ""), rec.get("body", ""), rec.get("url"),
                rec.get("guid"), published, seen_at)


def evaluate(records: list[dict[str, Any]]) -> dict[str, Any]:
    pipeline = Pipeline.from_directory(dedup=DedupIndex(window_seconds=None))
    counts = {t: [0, 0, 0] for t in TOPIC_IDS}
    place = [0, 0, 0]
    harm = [0, 0, 0]
    dedup_ok = 0
    errors: list[dict[str, Any]] = []
    for rec in records:
        a = pipeline.analyse(to_item(rec))
        got = {t.topic for t in a.topics}
        want = set(rec["topics"])
        for t in TOPIC_IDS:
            if t in got and t in want:
                counts[t][0] += 1
            elif t in got:
                counts[t][1] += 1
            elif t in want:
                counts[t][2] += 1
        got_places = {m.place_id for m in a.places}
        want_places = set(rec["places"])
        place[0] += len(got_places & want_places)
        place[1] += len(got_places - want_places)
        place[2] += len(want_places - got_places)
        h_got, h_want = a.harmful.harmful, bool(rec["harmful"])
        harm[0 if h_got and h_want else 1 if h_got else 2 if h_want else 0] += int(h_got or h_want)
        dup_ok = a.duplicate.original_id == rec.get("dup_of")
        dedup_ok += dup_ok
        if got != want or got_places != want_places or h_got != h_want or not dup_ok:
            errors.append({
                "id": rec["id"], "variant": rec.get("variant"),
                "topics": {"want": sorted(want), "got": sorted(got)},
                "places": {"want": sorted(want_places), "got": sorted(got_places)},
                "harmful": {"want": h_want, "got": h_got, "score": a.harmful.score},
                "dup_of": {"want": rec.get("dup_of"), "got": a.duplicate.original_id,
                           "jaccard": a.duplicate.jaccard},
            })
    per_topic = {t: prf(*counts[t]) for t in TOPIC_IDS}
    micro = prf(*(sum(c[i] for c in counts.values()) for i in range(3)))
    macro_f1 = sum(v["f1"] for v in per_topic.values()) / len(per_topic)
    return {
        "items": len(records),
        "topics": per_topic,
        "topics_micro": micro,
        "topics_macro_f1": round(macro_f1, 4),
        "places": prf(*place),
        "harmful": prf(*harm),
        "dedup_accuracy": round(dedup_ok / len(records), 4),
        "errors": errors,
    }


def throughput(records: list[dict[str, Any]], n: int = 3000, seed: int = 7) -> dict[str, Any]:
    """Items/s of normalise → dedup → classify → places → harmful on synthetic 300-600-word
    articles assembled from shuffled sentences of the evaluation bodies."""
    rng = random.Random(seed)
    sentences = [s.strip() for r in records for s in r["body"].split(". ") if s.strip()]
    articles = []
    for i in range(n):
        words = 0
        parts: list[str] = []
        target = rng.randint(300, 600)
        while words < target:
            s = rng.choice(sentences)
            parts.append(s)
            words += len(s.split())
        articles.append(Item(f"s{i}", rng.choice(records)["title"], ". ".join(parts),
                             f"https://x.example/{i}", None, None, float(i)))
    pipeline = Pipeline.from_directory(dedup=DedupIndex(window_seconds=None))
    for item in articles[:200]:  # warm caches
        pipeline.analyse(item)
    pipeline.dedup = DedupIndex(window_seconds=None)
    start = time.perf_counter()
    for item in articles:
        pipeline.analyse(item)
    elapsed = time.perf_counter() - start
    avg_words = sum(len(a.body.split()) for a in articles) / n
    return {"items": n, "avg_words": round(avg_words, 1), "seconds": round(elapsed, 3),
            "items_per_second": round(n / elapsed, 1),
            "dedup_bytes_per_item_measured": round(
                pipeline.dedup.memory_bytes() / len(pipeline.dedup)
            ),
            "dedup_bytes_per_item_estimate": estimate_bytes_per_item()}


def _worker(args: tuple[list[Item], list[Item]]) -> tuple[int, float]:
    warm, items = args
    pipeline = Pipeline.from_directory(dedup=DedupIndex(window_seconds=None))
    for item in warm:
        pipeline.analyse(item)
    pipeline.dedup = DedupIndex(window_seconds=None)
    start = time.perf_counter()
    for item in items:
        pipeline.analyse(item)
    return len(items), time.perf_counter() - start


def parallel_throughput(records: list[dict[str, Any]], workers: int = 2, n: int = 3000) -> float:
    """Items/s with ``workers`` processes (each with its own dedup shard, e.g. by source)."""
    import multiprocessing

    rng = random.Random(11)
    sentences = [s.strip() for r in records for s in r["body"].split(". ") if s.strip()]
    items = []
    for i in range(n):
        parts = []
        words = 0
        target = rng.randint(300, 600)
        while words < target:
            sentence = rng.choice(sentences)
            parts.append(sentence)
            words += len(sentence.split())
        items.append(Item(f"p{i}", "Tin", ". ".join(parts), None, None, None, float(i)))
    chunks = [(items[:100], items[k::workers]) for k in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.map(_worker, chunks)
    return round(sum(c for c, _ in results) / max(t for _, t in results), 1)


def _print_table(title: str, result: dict[str, Any]) -> None:
    print(f"== {title}: {result['items']} items")
    print(f"{'topic':<22}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}")
    for name, m in [*result["topics"].items(), ("MICRO", result["topics_micro"]),
                    ("places", result["places"]), ("harmful", result["harmful"])]:
        print(f"{name:<22}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}"
              f"{m['tp']:>5}{m['fp']:>5}{m['fn']:>5}")
    print(f"topics macro F1: {result['topics_macro_f1']:.3f}; dedup cluster accuracy: "
          f"{result['dedup_accuracy']:.3f}; items with any error: {len(result['errors'])}")


def main() -> None:
    records = load_items()
    result = evaluate(records)
    _print_table("evaluation set (also used while writing the term lists)", result)
    for name, title in SETS:
        extra = EVAL_FILE.with_name(f"{name}.jsonl")
        if extra.exists():
            result[name] = evaluate(load_items(extra))
            _print_table(title, result[name])
    result["throughput"] = throughput(records)
    result["throughput"]["two_process_items_per_second"] = parallel_throughput(records)
    tp = result["throughput"]
    print(f"throughput: {tp['items_per_second']:.0f} items/s in one process, "
          f"{tp['two_process_items_per_second']:.0f} items/s with 2 processes "
          f"(avg {tp['avg_words']} words); dedup ~{tp['dedup_bytes_per_item_measured']} B/item")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
