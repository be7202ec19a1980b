"""Any assembly, not only the reference one: rules made by `rules init --from-polis`, measured.

For real pol.is conversations (../shared/data/polis/, read-only; skipped when
absent) in English, German and Chinese, a rules folder is written with
`statementkit rules init DIR --from-polis EXPORT --seed S` and nothing else.
`rules init` reads its examples and calibrates its threshold on one half of the
moderated comments (the seeded pool, `statementkit.assembly.polis_split`); this
script scores only the other half, which the rules never saw:

- out_of_scope rate on the held-out comments the moderators ACCEPTED (should
  be low: the target is at most 10 %), with the generated rules, with the
  bundled reference-assembly rules (before: what running statementkit on
  another assembly used to give) and with the hand-written folders of
  benchmarks/polis-rules/ (keywords written from summary.csv by a person);
- out_of_scope rate on the held-out REJECTED comments, for context only:
  pol.is moderators reject repeats, incivility and off-topic comments alike,
  so this is not a recall;
- the themes of each conversation (all its accepted comments) with the
  generated rules, which have no taxonomy: the first clusters with their
  labels and a representative; and how badly the reference taxonomy fits
  (the share the themes stage calls "none" or unsure, and whether it warns).

    python benchmarks/any_assembly.py [--seeds 0 1 2 3 4 5] [--conversations a b c]

Each seed is another split (other examples, other held-out half); the themes
are printed for the first seed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import ROOT, polis_dir, print_table, write_result
from typer.testing import CliRunner

CONVERSATIONS = ["canadian-electoral-reform", "scoop-hivemind.biodiversity", "austria-climate.2vkxcncppn.2022-07-07",
                 "vtaiwan.uberx"]
HAND_MADE = ROOT / "benchmarks" / "polis-rules"


def out_of_scope_rate(statements, rules, embedder) -> float | None:
    from statementkit.checks import check

    if not statements:
        return None
    return sum("out_of_scope" in s.codes for s in check(statements, rules, embedder=embedder)) / len(statements)


def run_one(name: str, export: Path, seed: int, embedder, workdir: Path) -> dict:
    from statementkit.assembly import polis_split
    from statementkit.checks import load_rules
    from statementkit.cli.main import app
    from statementkit.themes.assign import assign_themes
    from statementkit.themes.taxonomy import load_taxonomy, taxonomy_for_rules
    from statementkit.votes.conversation import read_comments

    folder = workdir / name
    t = time.perf_counter()
    r = CliRunner().invoke(app, ["rules", "init", str(folder), "--from-polis", str(export), "--seed", str(seed)])
    if r.exit_code != 0:
        raise SystemExit(f"rules init failed for {name}:\n{r.output}")
    init_s = time.perf_counter() - t
    rules = load_rules(folder)
    split = polis_split(read_comments(export / "comments.csv"), seed)
    held_acc = [s for s in split.held_accepted]
    held_rej = [s for s in split.held_rejected]
    row = {"conversation": name, "languages": list(rules.languages), "init_seconds": round(init_s, 1),
           "pool_accepted": len(split.pool_accepted), "held_accepted": len(held_acc),
           "held_rejected": len(held_rej), "examples": len(rules.scope.get("examples", [])),
           "outside_examples": len(rules.scope.get("outside", [])),
           "min_similarity": rules.scope.get("min_similarity"),
           "accepted_oos_generated": out_of_scope_rate(held_acc, rules, embedder),
           "accepted_oos_reference": out_of_scope_rate(held_acc, load_rules(), embedder),
           "rejected_oos_generated": out_of_scope_rate(held_rej, rules, embedder)}
    hand = HAND_MADE / name
    row["accepted_oos_hand_made"] = out_of_scope_rate(held_acc, load_rules(hand), embedder) if hand.is_dir() else None
    accepted = split.pool_accepted + split.held_accepted
    themes = assign_themes(accepted, taxonomy_for_rules(folder), embedder=embedder)
    by_id = {s.id: s.text for s in accepted}
    row["themes"] = [{"cluster": c.id, "size": c.size, "label": c.label,
                      "representative": by_id.get(c.representatives[0], "") if c.representatives else ""}
                     for c in sorted(themes.clusters, key=lambda c: -c.size)]
    row["theme_values"] = sorted({str(a.theme) for a in themes.assignments})
    reference = assign_themes(accepted, load_taxonomy(), embedder=embedder)
    row["reference_taxonomy_misfit"] = reference.info["taxonomy_misfit_share"]
    row["reference_taxonomy_warns"] = reference.taxonomy_fit_warning is not None
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4, 5])
    parser.add_argument("--conversations", nargs="*", default=CONVERSATIONS)
    parser.add_argument("--themes", type=int, default=5, help="how many clusters to print per conversation")
    args = parser.parse_args()
    data = polis_dir()
    if data is None:
        print("no pol.is data (../shared/data/polis or $STATEMENTKIT_POLIS_DIR): skipped")
        return
    from statementkit.embed import default_embedder

    embedder = default_embedder()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            for name in args.conversations:
                if (data / name / "comments.csv").exists():
                    rows.append({"seed": seed, **run_one(name, data / name, seed, embedder, Path(tmp) / str(seed))})

    def pct(x):
        return "-" if x is None else f"{x:.1%}"

    print("out_of_scope on held-out comments (rules made from the other half only)\n")
    print_table(["seed", "conversation", "lang", "held acc", "generated", "reference rules", "hand-made",
                 "held rej: generated", "examples", "outside", "min sim"],
                [[r["seed"], r["conversation"], ",".join(r["languages"]), r["held_accepted"],
                  pct(r["accepted_oos_generated"]), pct(r["accepted_oos_reference"]), pct(r["accepted_oos_hand_made"]),
                  pct(r["rejected_oos_generated"]), r["examples"], r["outside_examples"], r["min_similarity"]]
                 for r in rows])
    rates: dict[str, list[float]] = {}
    for r in rows:
        rates.setdefault(r["conversation"], []).append(r["accepted_oos_generated"] or 0.0)
    worst = {k: max(v) for k, v in rates.items()}
    mean = {k: sum(v) / len(v) for k, v in rates.items()}
    print("\nheld-out accepted judged off topic with the generated rules (target: at most 10 %), mean / worst "
          "over the seeds: " + ", ".join(f"{k} {mean[k]:.1%} / {worst[k]:.1%}" for k in rates))
    for r in (r for r in rows if r["seed"] == args.seeds[0]):
        warn = "warns" if r["reference_taxonomy_warns"] else "does not warn"
        print(f"\n{r['conversation']}: {len(r['themes'])} clusters, themes {r['theme_values']}; "
              f"reference taxonomy: {r['reference_taxonomy_misfit']:.0%} none or unsure ({warn})")
        for t in r["themes"][:args.themes]:
            print(f"  cluster {t['cluster']:>2} · {t['size']:>3} · {t['label']}  —  {t['representative'][:90]}")
    path = write_result("any_assembly", {"seeds": args.seeds, "model": getattr(embedder, "id", "?"),
                                         "worst_accepted_oos_generated": worst,
                                         "mean_accepted_oos_generated": mean, "conversations": rows})
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
