"""The assembly report: its data, its HTML, its command, and how it looks in a real browser."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from statementkit.cli.main import app
from statementkit.errors import InputError
from statementkit.report.data import (
    REJECTED,
    ReportData,
    build_report_data,
    source_kind,
)
from statementkit.report.html import SECTIONS, render_report
from statementkit.resources import corpus_dir

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class StrictHTML(HTMLParser):
    """Fails on unbalanced or mis-nested tags and duplicate ids; collects ids and script sources."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.ids: list[str] = []
        self.script_src: list[str] = []
        self.urls: list[str] = []
        self.errors: list[str] = []
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]
        if tag == "script" and a.get("src"):
            self.script_src.append(a["src"])
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"line {self.getpos()[0]}: </{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()


def check_html(html: str) -> StrictHTML:
    parser = StrictHTML()
    parser.feed(html)
    parser.close()
    assert parser.doctype, "no <!DOCTYPE html>"
    assert not parser.errors, parser.errors[:5]
    assert not parser.stack, f"unclosed: {parser.stack[:5]}"
    dupes = {i for i in parser.ids if parser.ids.count(i) > 1}
    assert not dupes, dupes
    return parser


@pytest.fixture(scope="module")
def london(fixtures_dir=Path(__file__).parent / "fixtures"):
    return fixtures_dir / "polis" / "london.youth.policing"


@pytest.fixture(scope="module")
def polis_data(london) -> ReportData:
    return build_report_data([london])


@pytest.fixture(scope="module")
def polis_html(polis_data) -> str:
    return render_report(polis_data)


@pytest.fixture(scope="module")
def paper_data() -> ReportData:
    return build_report_data([corpus_dir() / "paper-statements.jsonl"])


def test_polis_report_data(polis_data):
    assert polis_data.title.startswith("What is the best way to engage more young people")
    assert (polis_data.n_participants, polis_data.n_votes) == (26, 638)
    assert len(polis_data.statements) == 39
    assert polis_data.decision_counts() == {"accepted": 36, "rejected": 3}
    assert polis_data.reason_counts() == {"not recorded": 3}
    assert polis_data.analysis.groups.k >= 2
    assert polis_data.votes["7"].category == "rejection"


def test_report_html_is_valid_offline_and_has_every_section(polis_data, polis_html):
    parser = check_html(polis_html)
    for section, _ in SECTIONS:
        assert section in parser.ids, section
    assert not parser.script_src, "the report must not load scripts from anywhere"
    assert not [u for u in parser.urls if re.match(r"(https?:)?//", u)], "external resources"
    assert "Plotly.newPlot" in polis_html and len(polis_html) > 3_000_000  # plotly.js is inline
    for fig in ("fig-decisions", "fig-categories", "fig-group-map"):
        assert fig in parser.ids
    # the tables show the statements of each category, with their texts escaped
    rejected = polis_data.by_category("rejection")
    assert rejected and all(f'<td class="id">{v.id}</td>' in polis_html for v in rejected)
    assert "Opinion groups: participants on the first two principal components" in polis_html
    assert "Agreement with pol.is&#39; own" in polis_html or "Agreement with pol.is' own" in polis_html


def test_text_is_escaped(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "x1", "text": "<script>alert(1)</script> & more", "agree": 70, "disagree": 20, '
                    '"pass": 10}\n', encoding="utf-8")
    html = render_report(build_report_data([path]))
    check_html(html)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html


def test_paper_report_reproduces_the_papers_categories(paper_data):
    agreement = paper_data.source_agreement()
    assert agreement["n"] == 27
    assert agreement["agreement"] >= 0.9
    friction = [r for r in agreement["rows"] if r["source"] == "friction"]
    assert friction == [{"id": "aa-026", "source": "friction", "computed": "divided", "match": True}]
    assert paper_data.title == "Alignment Assembly on Culture for AI"  # from rules/assembly.toml
    assert set(paper_data.theme_members()) == {"1", "2", "3", "4", "5", "6", "7"}
    assert paper_data.theme_titles["3"] == "Taking climate action seriously"
    assert paper_data.decision_counts() == {"accepted": 35, "rejected": 5}
    html = render_report(paper_data)
    check_html(html)
    assert "27 of 27" in html or f"{agreement['matches']} of 27" in html
    assert "Opinion groups need raw votes" in html
    assert "Taking climate action seriously" in html


def test_sources_merge_votes_beat_percentages(london, tmp_path):
    quoted = tmp_path / "quoted.jsonl"
    quoted.write_text('{"id": "7", "text": "My gender has changed since birth.", "agree": 50, "disagree": 50, '
                      '"pass": 0, "theme": "4", "category": "friction"}\n', encoding="utf-8")
    data = build_report_data([quoted, london])
    assert data.votes["7"].source == "votes" and data.votes["7"].category == "rejection"
    assert data.themes == {"7": "4"} and data.sources == [str(quoted), str(london)]
    assert data.title.startswith("What is the best way")
    assert data.source_agreement()["rows"][0]["match"] is False


def test_source_kinds(tmp_path, london):
    assert source_kind(london) == "polis"
    db = tmp_path / "queue.db"
    db.write_bytes(b"")
    assert source_kind(db) == "queue"
    with pytest.raises(InputError, match="no such file or folder"):
        source_kind(tmp_path / "nope.jsonl")
    with pytest.raises(InputError, match="folder without comments.csv"):
        source_kind(tmp_path)
    with pytest.raises(InputError, match="no sources"):
        build_report_data([])


def test_decisions_from_statement_fields(tmp_path):
    path = tmp_path / "decided.jsonl"
    path.write_text('{"id": "a", "text": "one", "decision": "rejected", "codes": ["jargon", "vague"]}\n'
                    '{"id": "b", "text": "two", "decision": "rejected", "codes": "vague"}\n'
                    '{"id": "c", "text": "three", "published": true}\n', encoding="utf-8")
    data = build_report_data([path])
    assert data.reason_counts() == {"vague": 2, "jargon": 1}
    assert data.decisions["c"].decision == "accepted" and data.decisions["a"].decision == REJECTED
    html = render_report(data)
    assert "Rejections by reason code" in html


def test_report_command(tmp_path, london):
    out = tmp_path / "r.html"
    r = CliRunner().invoke(app, ["report", str(london), "-o", str(out), "--max-rows", "3"])
    assert r.exit_code == 0, r.output
    assert out.exists() and "wrote" in r.output
    check_html(out.read_text(encoding="utf-8"))
    r = CliRunner().invoke(app, ["report", str(tmp_path / "missing"), "-o", str(out)])
    assert r.exit_code == 3 and "no such file or folder" in " ".join(r.output.split())


def test_votes_command(london):
    import json

    r = CliRunner().invoke(app, ["votes", str(london), "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert len(rows) == 39 and rows[7]["id"] == "7" and rows[7]["category"] == "rejection"
    assert {"id", "votes", "agree_share", "agree_ci", "category", "text"} <= set(rows[7])
    r = CliRunner().invoke(app, ["votes", str(london), "--participants", "--format", "json"])
    people = json.loads(r.output)
    assert len(people) == 26 and {"id", "group", "x", "y", "polis_group"} == set(people[0])
    r = CliRunner().invoke(app, ["votes", str(london)])
    assert r.exit_code == 0 and "categories:" in r.output


# ---------------------------------------------------------------- a real browser


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _headless(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             "--hide-scrollbars", "--virtual-time-budget=8000"]
    return subprocess.run([browser, *flags, *args], capture_output=True, text=True, timeout=180)


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="needs chromium (apt-get install chromium)")
def test_report_renders_in_a_headless_browser(tmp_path, polis_html):
    browser = _chromium()
    page = tmp_path / "report.html"
    page.write_text(polis_html, encoding="utf-8")
    # the DOM after scripts ran: every plotly figure drew its SVG, offline
    dom = _headless(browser, tmp_path / "p1", "--dump-dom", page.as_uri()).stdout
    figures = re.findall(r'<div id="([^"]+)" class="plotly-graph-div"', polis_html)
    assert len(figures) >= 3
    for fig in figures:  # plotly.js marks every div it drew into
        assert f'id="{fig}" class="plotly-graph-div js-plotly-plot"' in dom, f"{fig} not drawn"
    assert dom.count('class="main-svg"') >= len(figures)
    for section, heading in SECTIONS:
        assert f'id="{section}"' in dom
    shot = tmp_path / "report.png"
    _headless(browser, tmp_path / "p2", "--window-size=1280,2400", f"--screenshot={shot}", page.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2400)
    assert len(data) > 100_000  # a blank page compresses to ~10 kB; text, tables and plots do not


def test_queue_database_source(tmp_path):
    from statementkit.pipeline import ScreenRow
    from statementkit.queue import Queue
    from statementkit.records import Statement

    db = tmp_path / "assembly.db"
    subs = [Statement(f"s{i}", text) for i, text in enumerate([
        "Museums should publish which AI tools they use.",
        "Fine-tune a LoRA adapter on the metadata.",
        "Something must be done about AI.",
        "Museums should say publicly which AI tools they use.",
        "Archives should train staff in AI literacy."])]
    with Queue.create(db, who="ana") as q:
        q.add_screened([ScreenRow(s) for s in subs], stages=["lang"])
        q.accept(["s0"])
        q.reject(["s1"], codes=["jargon"])
        q.reject(["s2"], codes=["vague"])
        q.merge(["s3"], into="s0")
        q.set_theme(["s0"], "1", expect=None)
    data = build_report_data([db])
    assert data.decision_counts() == {"accepted": 1, "rejected": 3, "pending": 1}
    assert data.reason_counts() == {"jargon": 1, "vague": 1, "duplicate": 1}
    assert data.decisions["s1"].by == "ana" and data.decisions["s1"].at
    assert data.themes["s0"] == "1" and data.theme_titles["1"].startswith("Defining our position")
    html = render_report(data)
    check_html(html)
    assert "jargon" in html and "Rejections by reason code" in html


def test_queue_database_keeps_reference_vote_shares(tmp_path):
    from statementkit.queue import Queue
    from statementkit.records import Statement

    db = tmp_path / "assembly.db"
    reference = [Statement("p1", "Museums should label AI-generated images.", "en",
                           {"agree": 80, "disagree": 10, "pass": 10, "category": "consensus"}),
                 Statement("p2", "Archives should stop all AI projects.", "en",
                           {"agree": 15, "disagree": 70, "pass": 15})]
    Queue.create(db, published=reference, who="ana").close()
    data = build_report_data([db])
    assert set(data.votes) == {"p1", "p2"}
    assert data.source_categories == {"p1": "consensus"}
    assert "Museums should label AI-generated images." in render_report(data)


def test_only_public_statements_appear_in_the_theme_tables(tmp_path):
    """Pending and rejected statements show only in the moderation section, and 'moderated' counts
    only decided statements (issue 15, finding 8)."""
    from statementkit.pipeline import ScreenRow
    from statementkit.queue import Queue
    from statementkit.records import Statement
    from statementkit.report.html import build_context

    db = tmp_path / "assembly.db"
    subs = [Statement("s0", "Museums should publish which AI tools they use."),
            Statement("s1", "Only idiots let AI write museum labels."),
            Statement("s2", "Archives should train staff in AI literacy.")]
    with Queue.create(db, who="ana") as q:
        q.add_screened([ScreenRow(s) for s in subs], stages=["lang"])
        q.accept(["s0"])
        q.reject(["s1"], codes=["incivility"])
        q.set_theme(["s0", "s1", "s2"], "1", expect=None)
    data = build_report_data([db])
    context = build_context(data)
    shown = [row["id"] for theme in context["themes"] for row in theme["rows"]]
    assert shown == ["s0"]
    assert context["moderation"]["total"] == 2 and context["moderation"]["pending"] == 1
    html = render_report(data)
    assert "2 statements were moderated; 1 are not moderated yet." in html


def test_report_text_is_plain_and_times_readable():
    """A pol.is description's Markdown is shown as text; comment times come from the timestamp."""
    from statementkit.report.data import _polis_time
    from statementkit.report.html import plain_text

    assert plain_text("This HiveMind is  __*closed*__.\n\nSee [the results](https://x.example)\nand **more**.") == \
        "This HiveMind is closed. See the results and more."
    assert _polis_time({"timestamp": 1472552518501, "datetime": "Tue Aug 30 17:21:58 WIB 2016"}) == \
        "2016-08-30 10:21 UTC"


def test_a_themes_run_adds_themes_to_a_polis_export(tmp_path, london):
    """`statementkit themes ... --format jsonl` output is a report source of its own (issue 15, finding 8)."""
    import csv
    import json

    with (london / "comments.csv").open(encoding="utf-8") as f:
        accepted = [r["comment-id"] for r in csv.DictReader(f) if r["moderated"] == "1"][:3]
    themes = tmp_path / "themes.jsonl"
    themes.write_text("".join(json.dumps({"id": sid, "cluster": 1, "theme": "2", "confidence": 0.9, "labels": []})
                              + "\n" for sid in accepted), encoding="utf-8")
    assert source_kind(themes) == "themes"
    data = build_report_data([london, themes])
    assert data.themes == {sid: "2" for sid in accepted}
    html = render_report(data)
    assert 'id="theme-2"' in html


def test_too_few_votes_never_lead_a_theme_table(tmp_path):
    """One vote is '100 % agree' but says nothing: such statements come after those with enough votes,
    without any badge (issue 15, finding 8)."""
    from statementkit.records import Statement
    from statementkit.report.html import build_context
    from statementkit.votes.analysis import classify, load_vote_rules, shares_from_counts

    rules = load_vote_rules()
    data = ReportData(title="t", rules=rules)
    data.statements = {"one": Statement("one", "One vote only."), "many": Statement("many", "Many votes.")}
    data.votes = {"one": classify(shares_from_counts("one", 1, 0, 1, rules), rules),
                  "many": classify(shares_from_counts("many", 14, 4, 20, rules), rules)}
    data.themes = {"one": "1", "many": "1"}
    data.theme_titles = {"1": "Theme one"}
    rows = build_context(data)["themes"][0]["rows"]
    assert [r["id"] for r in rows] == ["many", "one"]
    assert rows[1]["category"] == "too_few_votes" and rows[1]["flags"] == []


def test_without_a_taxonomy_the_themes_section_shows_the_clusters_with_their_labels(tmp_path, london):
    """`statementkit themes` with rules that have no taxonomy: theme null, the cluster and its label."""
    import csv
    import json

    with (london / "comments.csv").open(encoding="utf-8") as f:
        accepted = [r["comment-id"] for r in csv.DictReader(f) if r["moderated"] == "1"][:4]
    themes = tmp_path / "themes.jsonl"
    themes.write_text("".join(json.dumps({"id": sid, "cluster": n % 2, "theme": None, "confidence": 0.0,
                                          "labels": [], "cluster_label": ["youth panels", "police visits"][n % 2]})
                              + "\n" for n, sid in enumerate(accepted)), encoding="utf-8")
    data = build_report_data([london, themes])
    assert set(data.themes.values()) == {"C0", "C1"}
    html = render_report(data)
    assert "youth panels" in html and "police visits" in html and "No theme assignments" not in html


def test_a_queue_without_a_taxonomy_reports_its_clusters(tmp_path):
    from statementkit.embed import HashingEmbedder
    from statementkit.queue import Queue
    from statementkit.records import Statement

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "assembly.toml").write_text('[assembly]\nname = "Parks"\nlanguages = ["en"]\nbase = "bundled"\n')
    (rules / "scope.toml").write_text('[scope]\nname.en = "city parks"\ndescription.en = "City parks."\n'
                                      'exemplars = ["description"]\n')
    db = tmp_path / "parks.db"
    texts = ["The city should plant more trees in every park.", "The city should plant more trees in parks.",
             "The city should plant trees in every park.", "Parks should stay open until midnight in summer.",
             "Parks should stay open until midnight all summer.", "Parks should stay open until midnight."]
    with Queue.create(db, rules=rules, who="ana") as q:
        q.add([Statement(f"p{i}", t, "en") for i, t in enumerate(texts)], reference=True)
        assert q.taxonomy() == []
        result = q.recluster(embedder=HashingEmbedder())
    assert {a.theme for a in result.assignments} == {None}
    data = build_report_data([db])
    assert data.themes and all(t.startswith("C") for t in data.themes.values())
    assert set(data.theme_titles.values()) == {c.label for c in result.clusters}


def test_the_report_leaves_statements_marked_meta_out_of_the_groups(fixtures):
    from statementkit.errors import InputError
    from statementkit.report.data import build_report_data

    london = fixtures / "polis" / "london.youth.policing"
    data = build_report_data([london], meta=[str(i) for i in range(1, 15)])
    assert data.votes["5"].category == "moderated_out" and data.votes["15"].category != "moderated_out"
    with pytest.raises(InputError, match="pol.is export"):
        build_report_data([fixtures / "statements.jsonl"], meta=["1"])
