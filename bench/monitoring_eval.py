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
from services.monitoring.domain.places import load_places  # noqa: E402
from services.monitoring.domain.stories import StoryIndex  # noqa: E402
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
    ("blind6", "sixth blind set (another author, half social posts, labelled with channel and "
               "gia_lai; first look through the API in data/README.md, then a development set)"),
    ("train_a", "training set A (another author: 120 items, mostly social, 55 harmful)"),
    ("train_b", "training set B (another author: 120 items, every topic nine times or more)"),
    ("train_c", "training set C (another author: 120 items, the former Bình Định coast too)"),
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


def labelled_places() -> set[str]:
    """The place ids the labels can use: our ids in places.yaml (the labellers' gazetteer).
    A commune the dataset adds is not scored: no label could name it."""
    return {str(p["id"]) for p in load_places(DATA_DIR / "places.yaml")["places"]}


def places_of(rec: dict[str, Any], analysis: Any,
              vocabulary: set[str]) -> tuple[set[str], set[str]]:
    """Mentioned place ids (of the labels' vocabulary) against the labels; sets labelled only
    with `gia_lai` (is a place of Gia Lai mentioned, as the province was on the item's day)
    compare that alone."""
    if "places" in rec:
        return {m.place_id for m in analysis.places} & vocabulary, set(rec["places"])
    return ({"gia_lai"} & set(analysis.place_ids)), ({"gia_lai"} if rec["gia_lai"] else set())


def evaluate(records: list[dict[str, Any]]) -> dict[str, Any]:
    pipeline = Pipeline.from_directory(dedup=DedupIndex(window_seconds=None))
    vocabulary = labelled_places()
    home = pipeline.gazetteer.home or "gia_lai"
    counts = {t: [0, 0, 0] for t in TOPIC_IDS}
    place = [0, 0, 0]
    mentioned = [0, 0, 0]  # the home province among the item's places or their ancestors'
    unscored: dict[str, int] = {}
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
        got_places, want_places = places_of(rec, a, vocabulary)
        for pid in {m.place_id for m in a.places} - vocabulary:
            unscored[pid] = unscored.get(pid, 0) + 1
        published = to_item(rec).published
        day = published.date() if published else None
        want_home = bool(rec["gia_lai"]) if "places" not in rec else any(
            p == home or home in pipeline.gazetteer.ancestors(p, day) for p in want_places)
        got_home = home in a.place_ids
        mentioned[0 if got_home and want_home else 1 if got_home else 2] += int(
            got_home or want_home)
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
        "home_mentioned": prf(*mentioned),
        "places_unscored": dict(sorted(unscored.items(), key=lambda kv: -kv[1])),
        "harmful": prf(*harm),
        "dedup_accuracy": round(dedup_ok / len(records), 4),
        "errors": errors,
    }


def throughput(records: list[dict[str, Any]], n: int = 3000, seed: int = 7,
               stories: bool = True, with_model: bool = True) -> dict[str, Any]:
    """Items/s of normalise → dedup → classify → places → harmful (→ the learned model, unless
    ``with_model`` is false; → stories) on synthetic 300-600-word articles assembled from
    shuffled sentences of the evaluation bodies."""
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
    pipeline = Pipeline.from_directory(dedup=DedupIndex(window_seconds=None), stories=stories,
                                       with_model=with_model)
    for item in articles[:200]:  # warm caches
        pipeline.analyse(item)
    pipeline.dedup = DedupIndex(window_seconds=None)
    if stories:
        pipeline.stories = StoryIndex(window_seconds=None)
    start = time.perf_counter()
    cpu_start = time.process_time()
    for item in articles:
        pipeline.analyse(item)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start  # the figure a busy machine leaves comparable
    avg_words = sum(len(a.body.split()) for a in articles) / n
    return {"items": n, "avg_words": round(avg_words, 1), "seconds": round(elapsed, 3),
            "items_per_second": round(n / elapsed, 1),
            "cpu_ms_per_item": round(cpu * 1000 / n, 3),
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
                    ("places", result["places"]), ("home mentioned", result["home_mentioned"]),
                    ("harmful", result["harmful"])]:
        print(f"{name:<22}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}"
              f"{m['tp']:>5}{m['fp']:>5}{m['fn']:>5}")
    print(f"topics macro F1: {result['topics_macro_f1']:.3f}; dedup cluster accuracy: "
          f"{result['dedup_accuracy']:.3f}; items with any error: {len(result['errors'])}")
    print(f"places found beyond the labels' vocabulary (not scored): "
          f"{sum(result['places_unscored'].values())}")


def main() -> None:
    records = load_items()
    result = evaluate(records)
    _print_table("evaluation set (also used while writing the term lists)", result)
    for name, title in SETS:
        extra = EVAL_FILE.with_name(f"{name}.jsonl")
        if extra.exists():
            result[name] = evaluate(load_items(extra))
            _print_table(title, result[name])
    # rules alone, with the model, rules alone again: the model's cost in one run, bracketed
    rules = [throughput(records, with_model=False)]
    result["throughput"] = throughput(records)
    rules.append(throughput(records, with_model=False))
    rules_cpu = sum(r["cpu_ms_per_item"] for r in rules) / 2
    result["throughput"]["rules_alone_cpu_ms_per_item"] = round(rules_cpu, 3)
    result["throughput"]["model_cpu_ratio"] = round(
        result["throughput"]["cpu_ms_per_item"] / rules_cpu, 3)
    result["throughput"]["two_process_items_per_second"] = parallel_throughput(records)
    result["throughput_without_stories"] = throughput(records, stories=False)
    tp = result["throughput"]
    plain = result["throughput_without_stories"]
    print(f"throughput without story clusters (same run): {plain['items_per_second']:.0f} "
          f"items/s, {plain['cpu_ms_per_item']} ms CPU/item; with them "
          f"{result['throughput']['cpu_ms_per_item']} ms CPU/item")
    print(f"CPU per item: rules alone {rules_cpu:.3f} ms, with the model "
          f"{tp['cpu_ms_per_item']:.3f} ms ({tp['model_cpu_ratio']}x; goal at most 1.5x)")
    print(f"throughput: {tp['items_per_second']:.0f} items/s in one process, "
          f"{tp['two_process_items_per_second']:.0f} items/s with 2 processes "
          f"(avg {tp['avg_words']} words); dedup ~{tp['dedup_bytes_per_item_measured']} B/item")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
