"""A simulated team of three annotators (2%, 5%, 20% errors) labels SMS spam through the real queue.

Part of the pool overlaps (k = 3 annotators per overlap item) and gold items with known answers
are mixed into every queue. The script prints inter-annotator agreement (Cohen's kappa per pair,
Fleiss' kappa and Krippendorff's alpha overall), gold accuracy per annotator, and who is flagged;
the 20% annotator should stand out on all three.

    python benchmarks/quality_team.py --data ../shared/data/sms_spam/SMSSpamCollection.tsv
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.progress import Progress

from activelabel.config import parse_config
from activelabel.project import Project
from activelabel.quality.agreement import agreement_report
from activelabel.quality.gold import gold_report
from activelabel.quality.simulate import simulate_team

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO / ".." / "shared" / "data" / "sms_spam" / "SMSSpamCollection.tsv"


def _norm(text: str) -> str:
    return " ".join(text.split())


def load_sms(path: Path) -> list[tuple[str, str]]:
    """(text, label) rows of the ``Label<TAB>SMS`` file, first copy of each text only."""
    rows, seen = [], set()
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        label, _, text = line.partition("\t")
        if text.strip() and _norm(text) not in seen:
            seen.add(_norm(text))
            rows.append((text, label))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--pool", type=int, default=1500, help="items to label")
    ap.add_argument("--gold", type=int, default=300, help="gold items (known answers)")
    ap.add_argument("--answers-each", type=int, default=400)
    ap.add_argument("--errors", default="0.02,0.05,0.20", help="error rate per annotator")
    ap.add_argument("--overlap-share", type=float, default=0.3)
    ap.add_argument("--overlap-k", type=int, default=3)
    ap.add_argument("--gold-rate", type=float, default=0.2)
    ap.add_argument("--threshold", type=float, default=0.9, help="gold accuracy below this is flagged")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", type=Path, default=None, help="keep the project here (default: a temp folder)")
    args = ap.parse_args()

    rows = load_sms(args.data)
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(rows))
    gold = [rows[i] for i in order[: args.gold]]
    pool = [rows[i] for i in order[args.gold: args.gold + args.pool]]
    label_of = {_norm(t): lab for t, lab in rows}
    rates = {f"ann_{round(float(e) * 100):02d}": float(e) for e in args.errors.split(",")}

    work = args.workdir or Path(tempfile.mkdtemp(prefix="quality_team_"))
    cfg = parse_config({"name": "sms-team", "task": "classification", "labels": ["ham", "spam"],
                        "loop": {"retrain_every": 0, "seed": args.seed},
                        "quality": {"overlap_share": args.overlap_share, "overlap_k": args.overlap_k,
                                    "gold_rate": args.gold_rate, "gold_accuracy_threshold": args.threshold}})
    with Project.init(work / "project", cfg) as project:
        for name, data in (("pool.jsonl", [{"text": t} for t, _ in pool]),
                           ("gold.jsonl", [{"text": t, "label": lab} for t, lab in gold])):
            (work / name).write_text("".join(json.dumps(d) + "\n" for d in data), encoding="utf-8")
        rep_pool = project.import_file(work / "pool.jsonl")
        rep_gold = project.import_file(work / "gold.jsonl", as_gold=True)
        project.prelabel()
        truth = {it.content: label_of[_norm(it.content)]
                 for page in project.store.iter_pool(exclude_human_labeled=False) for it in page}
        truth.update({it.content: label_of[_norm(it.content)] for it, _ in project.store.gold_items()})
        t0 = time.perf_counter()
        with Progress() as bar:
            task = bar.add_task("team answering", total=args.answers_each * len(rates))
            stats = simulate_team(project, truth, rates, answers_each=args.answers_each, seed=args.seed,
                                  progress=lambda done, total: bar.update(task, completed=done))
        elapsed = time.perf_counter() - t0
        ag = agreement_report(project)
        gr = gold_report(project)

    n_answers = sum(s["answers"] for s in stats.values())
    print(f"data: {args.data.name}; pool {rep_pool.imported} items, gold {rep_gold.imported} items; "
          f"overlap share {args.overlap_share} x k={args.overlap_k}, gold rate {args.gold_rate}")
    print(f"{n_answers} answers through claim/submit in {elapsed:.1f} s ({1000 * elapsed / n_answers:.1f} ms each)")
    print("\nannotator  set error  made errors  gold seen")
    for name, s in stats.items():
        print(f"{name:9}  {rates[name]:9.0%}  {s['errors'] / max(1, s['answers']):11.1%}  {s['gold_seen']:9d}")
    ov = ag["overall"]
    print(f"\nagreement on {ag['n_items_overlap']} items with 2+ annotators: Krippendorff's alpha "
          f"{ov['krippendorff_alpha']:.3f}, Fleiss' kappa {ov['fleiss_kappa']:.3f}, "
          f"all agree on {ov['observed_agreement']:.1%}")
    print("pair                 items  Cohen's kappa  disagreements")
    for p in ag["pairs"]:
        print(f"{' / '.join(p['annotators']):19}  {p['n_items']:5d}  {p['value']:13.3f}  {len(p['disagreements']):13d}")
    print("annotator  mean pair kappa")
    for name, a in ag["per_annotator"].items():
        print(f"{name:9}  {a['mean_pair_value']:15.3f}")
    print(f"\ngold accuracy (flag below {gr['threshold']:.0%} after {gr['min_answers']} gold answers)")
    print("annotator  gold answers  accuracy  recent  flag")
    for name, a in gr["annotators"].items():
        print(f"{name:9}  {a['n_gold']:12d}  {a['accuracy']:8.1%}  {a['recent_accuracy']:6.1%}  "
              f"{'FLAGGED: ' + a['reason'] if a['flagged'] else 'ok'}")
    lowest_kappa = min(ag["per_annotator"], key=lambda n: ag["per_annotator"][n]["mean_pair_value"])
    lowest_gold = min(gr["annotators"], key=lambda n: gr["annotators"][n]["accuracy"])
    print(f"\nsingled out: lowest agreement {lowest_kappa}, lowest gold accuracy {lowest_gold}, "
          f"flagged {gr['flagged']}")
    print(f"project kept in {work / 'project'}" if args.workdir else "")


if __name__ == "__main__":
    main()
