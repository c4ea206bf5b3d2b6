"""Pre-label and score a large pool with the local engine and the Ray engine (issue 9), and Ray's cost per batch.

- 200k short generated texts (scikit-learn adapter) and 5k generated images (YOLO adapter, trained
  one epoch on 60 labeled images: the figure is the cost per image, not the model's quality);
- each engine scores the same model version from scratch; the predictions are compared exactly;
- Ray's overhead per batch: a pipeline of the same shape whose model does nothing, run at two batch
  counts; the slope is the cost per batch, the intercept the fixed start-up (actors, scheduling).

    python benchmarks/scale_prelabel.py [--texts 200000] [--images 5000] [--workers 2] [--skip-images]
    python benchmarks/scale_prelabel.py --texts 0 --images 0 --ner 1000 --audio 40   # per-item costs

Figures are printed, never asserted. On a shared 2-core machine they move with the load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from text_common import seeded_text_project  # noqa: E402

from activelabel.config import parse_config  # noqa: E402
from activelabel.engines import LocalEngine, get_engine, score_pool, scores_root  # noqa: E402
from activelabel.engines.ray_engine import READERS, _task_pool  # noqa: E402
from activelabel.project import Project  # noqa: E402


def digest(project: Project, version: str) -> str:
    """A hash of every stored prediction of ``version`` (value, confidence, score, parts), in item order."""
    h = hashlib.sha256()
    for page in project.store.iter_pool(10_000):
        rows = project.store.predictions_for(version, [it.id for it in page])
        for it in page:
            r = rows[it.id]
            h.update(json.dumps([it.id, r["value"], r["confidence"], r["score"], r["parts"]]).encode())
    return h.hexdigest()[:16]


def run_engines(project: Project, kind: str, workers: int, ray_ready: list[bool]) -> dict[str, Any]:
    version = project.store.current_version()
    assert version is not None
    out: dict[str, Any] = {}
    for name in ("local", "ray"):
        project.store.forget_predictions(version)
        shutil.rmtree(scores_root(project) / version, ignore_errors=True)
        if name == "ray" and not ray_ready[0]:
            import ray

            t0 = time.perf_counter()
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, logging_level="warning")
            print(f"  ray.init (local instance, {workers} CPUs): {time.perf_counter() - t0:.1f} s")
            ray_ready[0] = True
        engine = LocalEngine() if name == "local" else get_engine("ray", workers=workers)
        t0 = time.perf_counter()
        pool, report = score_pool(project, version, engine=engine)
        wall = time.perf_counter() - t0
        out[name] = {"wall": wall, "report": report, "digest": digest(project, version), "n": len(pool.ids)}
        print(f"  {kind} {name:5s}: {report.predicted} items in {wall:.1f} s wall "
              f"({report.predicted / wall:,.0f} items/s, {1000 * wall / max(1, report.predicted):.3f} ms/item), "
              f"{report.batches} result batches" + (f", {int(report.extra['workers'])} actors, batch "
                                                    f"{int(report.extra['batch_size'])}" if report.extra else ""))
    same = out["local"]["digest"] == out["ray"]["digest"]
    print(f"  {kind}: local and Ray predictions identical: {same} ({out['local']['digest']} vs {out['ray']['digest']})")
    return out


def bench_texts(tmp: Path, n: int, workers: int, ray_ready: list[bool]) -> dict[str, Any]:
    project = seeded_text_project(tmp / "texts", n)
    t0 = time.perf_counter()
    project.train(wait=True)
    print(f"texts: train + promote + re-score (local engine) + route: {time.perf_counter() - t0:.1f} s")
    out = run_engines(project, "texts", workers, ray_ready)
    project.close()
    return out


def bench_images(tmp: Path, n: int, workers: int, ray_ready: list[bool]) -> dict[str, Any] | None:
    try:
        from activelabel.samples.detection import make_sample
    except ImportError:
        print("images: skipped (activelabel.samples.detection is not there)")
        return None
    try:
        import ultralytics  # noqa: F401
    except ImportError:
        print("images: skipped (the image extra is not installed)")
        return None
    cfg = parse_config({"task": "detection", "labels": ["square", "circle", "triangle"],
                        "model": {"params": {"epochs": 1, "imgsz": 128, "batch": 16, "device": "cpu"}},
                        "loop": {"retrain_every": 0, "human_budget_per_round": 100}})
    project = Project.init(tmp / "images", cfg)
    t0 = time.perf_counter()
    labeled = make_sample(tmp / "img_train", 60, seed=1, size=128)
    unlabeled = make_sample(tmp / "img_pool", n, seed=2, size=128, with_labels=False)
    project.import_file(labeled)
    project.import_file(unlabeled)
    print(f"images: generated and imported {project.store.item_count()} ({time.perf_counter() - t0:.1f} s)")
    t0 = time.perf_counter()
    project.train(wait=True)
    print(f"images: train 1 epoch + promote + re-score (local engine) + route: {time.perf_counter() - t0:.1f} s")
    out = run_engines(project, "images", workers, ray_ready)
    project.close()
    return out


def bench_pretrained(tmp: Path, task: str, n: int, workers: int, ray_ready: list[bool]) -> dict[str, Any] | None:
    """A task whose model ships pretrained (spaCy NER, Whisper): the demo project, scored by both engines."""
    from activelabel.demo import build_project, sample_module
    kind = task
    if sample_module(kind) is None:
        print(f"{task}: skipped (activelabel.samples.{task} is not there)")
        return None
    t0 = time.perf_counter()
    try:
        made = build_project(kind, tmp / task, n=n, say=lambda m: print(f"  {m}"))
    except Exception as exc:  # a missing extra or model: say so and go on with the other figures
        print(f"{task}: skipped ({type(exc).__name__}: {exc})")
        return None
    print(f"{task}: sample + import + pretrained pre-label (local engine): {time.perf_counter() - t0:.1f} s")
    with Project.open(made.directory) as project:
        return run_engines(project, task, workers, ray_ready)


class _Noop:
    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        return batch


def _rows(batch: dict[str, Any], per: int) -> dict[str, Any]:
    n = len(batch["lo"]) * per
    return {"id": np.arange(n), "content": np.array(["x" * 60] * n, dtype=object)}


def ray_overhead(workers: int, batch: int = 64) -> None:
    """Same pipeline shape as the Ray engine (plan -> reader tasks -> actor pool -> driver), no model work."""
    import ray

    timings = []
    for n_batches in (20, 200):
        t0 = time.perf_counter()
        ds = (ray.data.from_items([{"lo": i} for i in range(n_batches)], override_num_blocks=n_batches)
              .map_batches(_rows, batch_size=1, num_cpus=0, fn_kwargs={"per": batch}, **_task_pool(ray, READERS))
              .map_batches(_Noop, batch_size=batch, compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=1))
        got = sum(len(b["id"]) for b in ds.iter_batches(batch_size=None))
        timings.append((n_batches, time.perf_counter() - t0))
        assert got == n_batches * batch
    (n1, t1), (n2, t2) = timings
    slope = (t2 - t1) / (n2 - n1)
    print(f"ray overhead: no-op pipeline {n1} batches {t1:.1f} s, {n2} batches {t2:.1f} s -> "
          f"{1000 * slope:.1f} ms per batch, {t1 - n1 * slope:.1f} s fixed start-up per run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=200_000)
    parser.add_argument("--images", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=2, help="Ray CPUs and model actors")
    parser.add_argument("--skip-images", action="store_true")
    parser.add_argument("--ner", type=int, default=0, help="also NER sentences (spaCy, pretrained); 0: skip")
    parser.add_argument("--audio", type=int, default=0, help="also audio clips (Whisper tiny.en, pretrained); 0: skip")
    args = parser.parse_args()
    ray_ready = [False]
    with tempfile.TemporaryDirectory() as tmp:
        if args.ner:
            bench_pretrained(Path(tmp), "ner", args.ner, args.workers, ray_ready)
        if args.audio:
            bench_pretrained(Path(tmp), "transcription", args.audio, args.workers, ray_ready)
        if args.texts:
            bench_texts(Path(tmp), args.texts, args.workers, ray_ready)
            ray_overhead(args.workers)
        if args.images and not args.skip_images:
            bench_images(Path(tmp), args.images, args.workers, ray_ready)
    if ray_ready[0]:
        import ray

        ray.shutdown()


if __name__ == "__main__":
    main()
