"""The report's plotly figures, each returned as an HTML fragment (plotly.js is embedded once by the page)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from statementkit.report.data import ReportData
    from statementkit.votes.opinion_groups import OpinionGroups

VOTE_COLOURS = {"agree": "#2e7d32", "disagree": "#c62828", "pass": "#9e9e9e"}
CATEGORY_COLOURS = {
    "consensus": "#2e7d32", "rejection": "#c62828", "friction": "#ef6c00", "uncertainty": "#5c6bc0",
    "divided": "#8e24aa", "too_few_votes": "#bdbdbd", "moderated_out": "#616161", "none": "#90a4ae",
}
GROUP_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
DECISION_COLOURS = {"accepted": "#2e7d32", "rejected": "#c62828", "pending": "#9e9e9e"}
#: Above this many participants the map plots a deterministic sample (the browser stays responsive).
MAP_MAX_POINTS = 20_000


def _html(fig: Any, div_id: str, height: int) -> str:
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10}, template="plotly_white",
                      font={"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 13})
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


def decisions_figure(data: ReportData) -> str | None:
    """Accepted / rejected / pending, and rejections by reason code."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    decisions = data.decision_counts()
    if not decisions:
        return None
    reasons = data.reason_counts()
    fig = make_subplots(rows=1, cols=2, column_widths=[0.4, 0.6],
                        subplot_titles=("Moderation decisions", "Rejections by reason code"))
    order = [d for d in ("accepted", "rejected", "pending") if decisions.get(d)]
    fig.add_trace(go.Bar(x=order, y=[decisions[d] for d in order], text=[decisions[d] for d in order],
                         marker_color=[DECISION_COLOURS[d] for d in order], showlegend=False), 1, 1)
    if reasons:
        names = [r for r, _ in reasons.most_common()][::-1]
        fig.add_trace(go.Bar(y=names, x=[reasons[r] for r in names], orientation="h", text=[reasons[r] for r in names],
                             marker_color="#c62828", showlegend=False), 1, 2)
    return _html(fig, "fig-decisions", 300)


def submissions_figure(data: ReportData) -> str | None:
    """Statements submitted per day, by decision (needs pol.is timestamps)."""
    import datetime as dt

    import plotly.graph_objects as go

    days: dict[str, Counter[str]] = {}
    for sid, s in data.statements.items():
        ts = s.meta.get("timestamp")
        if not isinstance(ts, int) or ts <= 0:
            continue
        day = dt.datetime.fromtimestamp(ts / 1000 if ts > 10**11 else ts, dt.timezone.utc).date().isoformat()
        decision = data.decisions[sid].decision if sid in data.decisions else "pending"
        days.setdefault(day, Counter())[decision] += 1
    if len(days) < 2:
        return None
    xs = sorted(days)
    fig = go.Figure([go.Bar(x=xs, y=[days[d][k] for d in xs], name=k, marker_color=DECISION_COLOURS[k])
                     for k in ("accepted", "rejected", "pending") if any(days[d][k] for d in xs)])
    fig.update_layout(barmode="stack", title="Statements submitted per day", legend={"orientation": "h"})
    return _html(fig, "fig-submissions", 280)


def categories_figure(data: ReportData) -> str | None:
    """How many statements fall in each category."""
    import plotly.graph_objects as go

    counts = data.category_counts()
    if not counts:
        return None
    order = [c for c in ("consensus", "friction", "uncertainty", "rejection", "divided", "none",
                         "too_few_votes") if counts.get(c)]  # moderated-out statements are not shown
    if not order:
        return None
    fig = go.Figure(go.Bar(y=[c.replace("_", " ") for c in order][::-1], x=[counts[c] for c in order][::-1],
                           orientation="h", text=[counts[c] for c in order][::-1],
                           marker_color=[CATEGORY_COLOURS[c] for c in order][::-1]))
    out = counts.get("moderated_out", 0)
    fig.update_layout(title="Statements by category" + (f" (not shown: {out} moderated out)" if out else ""))
    return _html(fig, "fig-categories", 60 + 32 * len(order))


def themes_figure(data: ReportData, members: dict[str, list[str]]) -> str | None:
    """Per theme: its statements by category (stacked)."""
    import plotly.graph_objects as go

    if not members:
        return None
    labels = [f"{t}. {data.theme_labels.get(t) or data.theme_titles.get(t, t)}"[:48] for t in members]
    cats = ("consensus", "friction", "uncertainty", "rejection", "divided", "none", "too_few_votes")
    traces = []
    for c in cats + ("no votes",):
        ys = []
        for ids in members.values():
            ys.append(sum(1 for i in ids if _category(data, i) == c))
        if any(ys):
            traces.append(go.Bar(y=labels[::-1], x=ys[::-1], orientation="h", name=c.replace("_", " "),
                                 marker_color=CATEGORY_COLOURS.get(c, "#e0e0e0")))
    fig = go.Figure(traces)
    fig.update_layout(barmode="stack", title="Statements per theme, by category", legend={"orientation": "h"})
    return _html(fig, "fig-themes", 120 + 36 * len(members))


def _category(data: ReportData, sid: str) -> str:
    v = data.votes.get(sid)
    return "no votes" if v is None else (v.category or "none")


def group_map_figure(og: OpinionGroups, polis_groups: dict[str, int] | None = None) -> str:
    """Participants in the plane of the first two principal components, coloured by opinion group."""
    import numpy as np
    import plotly.graph_objects as go

    idx = np.arange(len(og.participants))
    if len(idx) > MAP_MAX_POINTS:
        idx = idx[:: int(np.ceil(len(idx) / MAP_MAX_POINTS))]
    traces = []
    sizes = og.sizes
    total = max(sum(sizes), 1)
    for g in [-1, *range(og.k)]:
        sel = idx[og.labels[idx] == g]
        if not len(sel):
            continue
        name = (f"{og.name(g)}: {sizes[g]} ({sizes[g] / total:.0%})" if g >= 0
                else f"not clustered (too few votes): {int((og.labels == -1).sum())}")
        traces.append(go.Scatter(
            x=og.coords[sel, 0], y=og.coords[sel, 1], mode="markers", name=name,
            marker={"size": 6 if g >= 0 else 4, "opacity": 0.75 if g >= 0 else 0.4,
                    "color": GROUP_COLOURS[g % len(GROUP_COLOURS)] if g >= 0 else "#bdbdbd"},
            text=[og.participants[i] for i in sel], hovertemplate="participant %{text}<extra>" + name + "</extra>"))
    fig = go.Figure(traces)
    ev = og.explained
    fig.update_layout(title="Opinion groups: participants on the first two principal components",
                      xaxis_title=f"PC1 ({ev[0]:.0%} of variance)", yaxis_title=f"PC2 ({ev[1]:.0%})",
                      legend={"orientation": "h", "y": -0.15})
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return _html(fig, "fig-group-map", 520)


def agreement_figure(rows: Sequence[dict[str, Any]]) -> str | None:
    """The source's category (e.g. the reference paper's) vs the computed one, as a confusion heat map."""
    import plotly.graph_objects as go

    if not rows:
        return None
    names = lambda c: (c or "none").replace("_", " ")  # noqa: E731
    theirs = sorted({names(r["source"]) for r in rows})
    ours = sorted({names(r["computed"]) for r in rows})
    z = [[sum(1 for r in rows if names(r["source"]) == t and names(r["computed"]) == o) for o in ours] for t in theirs]
    fig = go.Figure(go.Heatmap(z=z, x=ours, y=theirs, text=z, texttemplate="%{text}", colorscale="Greens",
                               showscale=False))
    fig.update_layout(title="Source's category (rows) vs computed category (columns)",
                      xaxis_title="computed", yaxis_title="source")
    return _html(fig, "fig-agreement", 120 + 40 * len(theirs))
