"""Render `ReportData` as one self-contained HTML file that opens offline.

The page embeds plotly.js once (inline, no network) and every figure as a
fragment; vote bars are plain HTML/CSS so tables with hundreds of statements
stay light. The layout lives in `templates/report.html.j2` (Jinja2, escaped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from statementkit.report import figures as figs
from statementkit.report.data import ACCEPTED, PENDING, REJECTED, ReportData
from statementkit.votes.analysis import TOO_FEW, StatementVotes

TEMPLATE = "report.html.j2"
#: Sections in page order: (id, heading). Every report has all of them; a section without data says why.
SECTIONS = (
    ("overview", "Overview"),
    ("categories", "Consensus, friction and uncertainty"),
    ("themes", "Themes"),
    ("groups", "Opinion groups"),
    ("paper", "Agreement with the source's categories"),
    ("moderation", "Moderation log"),
    ("method", "Method and thresholds"),
)
CATEGORY_SECTIONS = (
    ("consensus", "Strong consensus", "at least {consensus_agree:.0%} of voters agree"),
    ("friction", "Friction between opinion groups",
     "opinion groups' agree or disagree shares differ by at least {friction_gap:.0%} (significant at z ≥ "
     "{friction_z}), with no consensus or rejection overall"),
    ("uncertainty", "Uncertainty", "at least {uncertainty_pass:.0%} of voters passed (unsure)"),
    ("rejection", "Broad rejection", "at least {rejection_disagree:.0%} of voters disagree"),
    ("divided", "Divided", "at least {divided_minority:.0%} agree and at least {divided_minority:.0%} disagree"),
    (TOO_FEW, "Too few votes to classify", "fewer than {min_votes} votes"),
)


def render_report(data: ReportData, *, max_rows: int = 50,
                  progress: Callable[[str], None] | None = None) -> str:
    """The report as an HTML string."""
    import jinja2
    import plotly.offline

    say = progress or (lambda _msg: None)
    say("drawing figures")
    env = jinja2.Environment(loader=jinja2.PackageLoader("statementkit.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    context = build_context(data, max_rows=max_rows)
    say("writing HTML")
    return env.get_template(TEMPLATE).render(plotlyjs=plotly.offline.get_plotlyjs(), **context)


def write_report(data: ReportData, path: str | Path, **kwargs: Any) -> Path:
    """Render and write the report; returns the path."""
    out = Path(path)
    out.write_text(render_report(data, **kwargs), encoding="utf-8")
    return out


def build_context(data: ReportData, *, max_rows: int = 50) -> dict[str, Any]:
    """Plain values for the template: numbers, rows and figure fragments."""
    from statementkit import __version__

    rules = data.rules
    og = data.analysis.groups if data.analysis else None
    decisions = data.decision_counts()
    members = data.theme_members()
    agreement = data.source_agreement()
    has_groups = og is not None and og.k > 0
    categories = []
    for cat, heading, rule in CATEGORY_SECTIONS:
        rows = data.by_category(cat)
        if cat == "divided" and not rows:
            continue
        text = rule.format(**_rule_values(rules)) if rules else ""
        if cat == "friction" and not has_groups:
            text += " — this needs opinion groups, i.e. raw votes, which the sources lack (see Divided)"
        elif cat == "divided":
            text += (", but the opinion groups do not differ: each group is split within itself" if has_groups
                     else " — friction's stand-in where opinion groups are unknown")
        categories.append({"id": cat, "heading": heading, "rule": text,
                           "total": len(rows), "rows": [_row(data, v) for v in rows[:max_rows]],
                           "groups": cat == "friction"})
    return {
        "title": data.title,
        "description": plain_text(data.description) if data.description else None,
        "version": __version__,
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "sources": data.sources,
        "sections": SECTIONS,
        "cards": _cards(data, decisions),
        "fig_decisions": figs.decisions_figure(data),
        "fig_submissions": figs.submissions_figure(data),
        "fig_categories": figs.categories_figure(data),
        "categories": categories,
        "themes": [{"id": t, "title": data.theme_titles.get(t, t), "total": len(ids),
                    "rows": [_row(data, data.votes[i]) if i in data.votes else _text_row(data, i)
                             for i in _theme_order(data, ids)[:max_rows]]}
                   for t, ids in members.items()],
        "fig_themes": figs.themes_figure(data, members),
        "groups": _groups(data, og, max_rows) if og is not None else None,
        "groups_missing": _groups_missing(data, og),
        "agreement": agreement,
        "agreement_rows": [{**r, "text": _text(data, r["id"])} for r in (agreement or {}).get("rows", [])],
        "fig_agreement": figs.agreement_figure(agreement["rows"]) if agreement else None,
        "moderation": _moderation(data, decisions, max_rows),
        "rules": _rule_table(rules),
        "notes": data.notes,
        "attributions": data.attributions,
    }


def plain_text(markdown: str) -> str:
    """A source's Markdown (pol.is descriptions: `__*closed*__`, links, headings) as the text a
    reader sees, for a page that escapes everything it shows."""
    from markdown_it import MarkdownIt

    words: list[str] = []
    for token in MarkdownIt().parse(markdown):
        if token.type == "inline":
            words.append("".join(" " if child.type in ("softbreak", "hardbreak") else child.content
                                 for child in token.children or []
                                 if child.type in ("text", "code_inline", "softbreak", "hardbreak")))
    return " ".join(" ".join(words).split())


def _rule_values(rules: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(rules)


def _cards(data: ReportData, decisions: Any) -> list[dict[str, Any]]:
    fmt = lambda n: "–" if n is None else f"{n:,}"  # noqa: E731
    cards = [{"label": "participants", "value": fmt(data.n_participants)},
             {"label": "votes", "value": fmt(data.n_votes)},
             {"label": "statements", "value": fmt(len(data.statements))}]
    if decisions:
        cards += [{"label": "accepted / published", "value": fmt(decisions.get(ACCEPTED, 0))},
                  {"label": "rejected", "value": fmt(decisions.get(REJECTED, 0))}]
        if decisions.get(PENDING):
            cards.append({"label": "not moderated", "value": fmt(decisions[PENDING])})
    if data.analysis and data.analysis.groups is not None and data.analysis.groups.k:
        og = data.analysis.groups
        cards.append({"label": "opinion groups", "value": str(og.k)})
    return cards


def _text(data: ReportData, sid: str) -> str:
    s = data.statements.get(sid)
    return s.text if s else ""


def _pct(x: float) -> int:
    return int(round(x * 100))


def _row(data: ReportData, v: StatementVotes) -> dict[str, Any]:
    theme = data.themes.get(v.id)
    og = data.analysis.groups if data.analysis else None
    return {
        "id": v.id, "text": _text(data, v.id), "n": v.n, "category": v.category or "none",
        "agree": _pct(v.agree_share), "disagree": _pct(v.disagree_share), "pass": _pct(v.pass_share),
        "ci": f"{_pct(v.agree_ci[0])}–{_pct(v.agree_ci[1])} %" if v.agree_ci else None,
        # too few votes to classify means too few for any badge: no "also consensus" on one vote
        "flags": [] if v.category == "too_few_votes" else [f for f in v.flags if f != v.category],
        "theme": f"{theme}. {data.theme_titles.get(theme, '')}" if theme else None,
        "groups": [{"name": og.name(g.group) if og else str(g.group), "agree": _pct(g.agree_share),
                    "disagree": _pct(g.disagree_share), "pass": _pct(1 - g.agree_share - g.disagree_share) if g.n else 0,
                    "n": g.n, "colour": figs.GROUP_COLOURS[g.group % len(figs.GROUP_COLOURS)]}
                   for g in v.groups],
        "gap": _pct(v.group_gap) if v.group_gap is not None else None,
        "consensus": round(v.group_consensus, 2) if v.group_consensus is not None else None,
    }


def _text_row(data: ReportData, sid: str) -> dict[str, Any]:
    d = data.decisions.get(sid)
    return {"id": sid, "text": _text(data, sid), "n": None, "category": "no votes", "agree": None,
            "disagree": None, "pass": None, "ci": None, "flags": [], "theme": None, "groups": [], "gap": None,
            "consensus": None, "decision": d.decision if d else None}


def _theme_order(data: ReportData, ids: list[str]) -> list[str]:
    """Statements with enough votes first, by agreement; then those with too few votes (one vote is
    "100 % agree" but says nothing); then the rest."""
    def key(i: str) -> tuple[int, float]:
        v = data.votes.get(i)
        if v is None:
            return 2, 0.0
        return (1 if v.category == "too_few_votes" else 0), -v.agree_share

    return sorted(ids, key=key)


def _groups(data: ReportData, og: Any, max_rows: int) -> dict[str, Any] | None:
    if not og.k:
        return None
    sizes = og.sizes
    total = sum(sizes)
    groups = []
    for g in range(og.k):
        reps = []
        for r in og.repness[g] if og.repness else []:
            v = data.votes.get(r.id)
            reps.append({"id": r.id, "text": _text(data, r.id), "repful": r.repful,
                         "share": _pct(r.n_success / r.n_trials) if r.n_trials else 0,
                         "n": r.n_trials, "rest": _rest_share(v, g, r.repful), "best": r.best_agree})
        groups.append({"name": og.name(g), "size": sizes[g], "share": _pct(sizes[g] / total),
                       "colour": figs.GROUP_COLOURS[g % len(figs.GROUP_COLOURS)], "reps": reps})
    consensus = []
    if og.consensus is not None:
        import numpy as np

        excluded = {v.id for v in data.votes.values() if v.category == "moderated_out"}
        order = [j for j in np.argsort(-og.consensus, kind="stable") if og.statements[j] not in excluded]
        for j in order[:10]:
            sid = og.statements[j]
            if sid in data.votes:
                consensus.append(_row(data, data.votes[sid]))
    comparison = None
    if data.polis_groups:
        from sklearn.metrics import adjusted_rand_score

        ids = [p for i, p in enumerate(og.participants) if og.labels[i] >= 0 and p in data.polis_groups]
        if len(ids) >= 2:
            labels = dict(zip(og.participants, og.labels))
            comparison = {"n": len(ids), "polis_k": len(set(data.polis_groups.values())),
                          "ari": round(adjusted_rand_score([data.polis_groups[p] for p in ids],
                                                           [int(labels[p]) for p in ids]), 3)}
    return {"k": og.k, "groups": groups, "clustered": og.n_clustered, "participants": len(og.participants),
            "silhouettes": [{"k": k, "value": round(s, 3), "chosen": k == og.k} for k, s in og.silhouettes.items()],
            "fig_map": figs.group_map_figure(og), "consensus": consensus, "comparison": comparison}


def _rest_share(v: StatementVotes | None, g: int, side: str) -> int | None:
    """Share of the other groups' voters on the same side, for contrast."""
    if v is None or not v.groups:
        return None
    rest = [x for x in v.groups if x.group != g]
    n = sum(x.n for x in rest)
    if not n:
        return None
    return _pct(sum(x.agree if side == "agree" else x.disagree for x in rest) / n)


def _groups_missing(data: ReportData, og: Any) -> str | None:
    if og is not None and og.k:
        return None
    if og is not None:
        return f"No opinion groups: {og.note}."
    return ("Opinion groups need raw votes (a pol.is votes.csv or participants-votes.csv); "
            "the sources give only vote percentages or none.")


def _moderation(data: ReportData, decisions: Any, max_rows: int) -> dict[str, Any]:
    reasons = data.reason_counts()
    rejected = [d for d in data.decisions.values() if d.decision == REJECTED]
    return {
        "total": sum(n for k, n in decisions.items() if k != PENDING),  # moderated: accepted or rejected
        "pending": decisions.get(PENDING, 0),
        "decisions": [{"decision": k, "n": decisions[k]} for k in (ACCEPTED, REJECTED, PENDING) if decisions.get(k)],
        "reasons": [{"code": c, "n": n} for c, n in reasons.most_common()],
        "rejected": [{"id": d.id, "text": _text(data, d.id), "reasons": d.reasons, "at": d.at, "by": d.by}
                     for d in rejected[:max_rows]],
        "rejected_total": len(rejected),
    }


def _rule_table(rules: Any) -> list[dict[str, str]]:
    if rules is None:
        return []
    r = rules
    return [
        {"what": "consensus", "value": f"agree ≥ {r.consensus_agree:.0%}"},
        {"what": "broad rejection", "value": f"disagree ≥ {r.rejection_disagree:.0%}"},
        {"what": "friction", "value": f"group gap ≥ {r.friction_gap:.0%}, z ≥ {r.friction_z}, "
                                      f"groups with ≥ {r.friction_min_group_votes} votes"},
        {"what": "uncertainty", "value": f"pass ≥ {r.uncertainty_pass:.0%}"},
        {"what": "divided (no groups)", "value": f"agree and disagree ≥ {r.divided_minority:.0%}"},
        {"what": "too few votes", "value": f"< {r.min_votes} votes"},
        {"what": "confidence intervals", "value": f"Wilson, {r.confidence:.0%}"},
        {"what": "clustered participants", "value": f"≥ min({r.min_participant_votes}, statements) votes "
                                                    f"(at least {r.min_clustered} participants)"},
        {"what": "opinion groups", "value": f"k-means of {r.base_clusters} base clusters, k = {r.k_min}–{r.k_max} "
                                            "by silhouette"},
        {"what": "representative statements", "value": f"z > {r.repness_z}, up to {r.repness_per_group} per group"},
    ]
