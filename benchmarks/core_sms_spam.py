"""Replay SMS Spam Collection through the real CLI and print the learning curve per strategy.

Per strategy and seed: hold out a stratified 20% test split; `init`, `import` the rest without
labels, `prelabel`; then rounds of `queue -n 20 --json`, answered from the file's labels with
`annotate --file`, and `train --wait`. After each round the promoted version is scored on the
test split. Targets (issue 2): accuracy >= 0.97 after 200 answers; margin ahead of random at 100.

    python benchmarks/core_sms_spam.py --data ../shared/data/sms_spam/SMSSpamCollection.tsv
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "activelabel.cli"]


def run(*args: str) -> str:
    out = subprocess.run([*CLI, *args], check=True, capture_output=True, text=True)
    return out.stdout


def load(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        label, text = line.split("\t", 1)
        rows.append((text.replace("\t", " "), label))
    seen, unique = set(), []
    for text, label in rows:
        if text not in seen:
            seen.add(text)
            unique.append((text, label))
    return unique


def split(rows: list[tuple[str, str]], seed: int, share: float = 0.2) -> tuple[list, list]:
    rng = np.random.default_rng(seed)
    labels = np.array([r[1] for r in rows])
    test_idx: list[int] = []
    for lab in np.unique(labels):
        idx = np.flatnonzero(labels == lab)
        test_idx.extend(rng.choice(idx, size=int(round(len(idx) * share)), replace=False).tolist())
    test = set(test_idx)
    return [r for i, r in enumerate(rows) if i not in test], [rows[i] for i in sorted(test)]


def replay(rows: list[tuple[str, str]], strategy: str, seed: int, budget: int, batch: int, work: Path) -> list[tuple[int, float, float]]:
    from activelabel.models.registry import load_model
    from activelabel.project import Project
    from activelabel.types import Item

    pool, test = split(rows, seed)
    truth = dict(pool)
    proj = work / f"{strategy}-{seed}"
    pool_file = work / f"pool-{seed}.tsv"
    pool_file.write_text("text\n" + "\n".join(t for t, _ in pool) + "\n", encoding="utf-8")
    run("init", str(proj), "--task", "classification", "--labels", "ham,spam", "--strategy", strategy)
    cfg_path = proj / "activelabel.toml"
    cfg_path.write_text(cfg_path.read_text().replace("seed = 0", f"seed = {seed}").replace(
        "retrain_every = 20", "retrain_every = 0"))
    run("import", str(proj), str(pool_file))
    run("prelabel", str(proj))
    test_items = [Item(f"t{i}", "text", t) for i, (t, _) in enumerate(test)]
    test_y = [lab for _, lab in test]
    curve = []
    answered = 0
    while answered < budget:
        queued = [json.loads(line) for line in run("queue", str(proj), "-n", str(batch), "--json").splitlines()]
        answers = work / "answers.jsonl"
        answers.write_text("".join(json.dumps({"id": q["id"], "value": truth[q["content"]]}) + "\n" for q in queued))
        run("annotate", str(proj), "--file", str(answers), "--annotator", "oracle")
        answered += len(queued)
        t0 = time.perf_counter()
        run("train", str(proj), "--wait")
        took = time.perf_counter() - t0
        with Project.open(proj) as project:
            version = project.store.current_version()
            model = load_model(Path(project.store.get_version(version).path))
        acc = model.evaluate(test_items, [__import__("activelabel.types").types.ClassLabel(y) for y in test_y])["accuracy"]
        curve.append((answered, acc, took))
    return curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/sms_spam/SMSSpamCollection.tsv")
    parser.add_argument("--strategies", default="random,margin")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--budget", type=int, default=300)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    rows = load(args.data)
    print(f"{len(rows)} unique messages from {args.data}; test split 20% stratified; batch {args.batch}")
    curves: dict[str, list[list[tuple[int, float, float]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for strategy in args.strategies.split(","):
            for seed in range(args.seeds):
                t0 = time.perf_counter()
                c = replay(rows, strategy, seed, args.budget, args.batch, Path(tmp))
                curves.setdefault(strategy, []).append(c)
                print(f"  {strategy} seed {seed}: {time.perf_counter() - t0:.0f}s, final acc {c[-1][1]:.4f}", flush=True)
    print("\nheld-out accuracy by human answers (mean over seeds)")
    names = list(curves)
    print("answers " + " ".join(f"{n:>10}" for n in names))
    for r in range(min(len(c) for cs in curves.values() for c in cs)):
        labels = curves[names[0]][0][r][0]
        print(f"{labels:7d} " + " ".join(f"{np.mean([c[r][1] for c in curves[n]]):10.4f}" for n in names))
    def at(name: str, n: int) -> float:
        return float(np.mean([next(a for lab, a, _ in c if lab >= n) for c in curves[name]]))
    if "margin" in curves:
        print(f"\nmargin at 200 answers: {at('margin', 200):.4f} (target >= 0.97)")
        if "random" in curves:
            print(f"at 100 answers: margin {at('margin', 100):.4f} vs random {at('random', 100):.4f} "
                  f"(target: margin ahead)")
    walls = [t for cs in curves.values() for c in cs for _, _, t in c]
    print(f"train + re-score wall time per round: median {np.median(walls):.2f}s")


if __name__ == "__main__":
    main()
