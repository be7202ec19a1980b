"""The triage UI driven with textual's pilot at 80×24: every action a moderator takes, through the keys."""

from __future__ import annotations

import asyncio

import pytest
from queue_helpers import make_queue

from statementkit.queue import Queue

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    make_queue(tmp_path / "a.db").close()
    return tmp_path / "a.db"


def run(db, scenario, who="alice", **kw):
    """Run `scenario(app, pilot, queue)` inside the app; returns what it returns."""
    from statementkit.tui.app import TriageApp

    async def main():
        queue = Queue(db, who=who)
        app = TriageApp(queue, **kw)
        try:
            async with app.run_test(size=SIZE) as pilot:
                await pilot.pause()
                return await scenario(app, pilot, queue)
        finally:
            queue.close()

    return asyncio.run(main())


def screen_text(app) -> str:
    """What the terminal shows right now, as plain text (80×24 lines)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def check(db, sid):
    with Queue(db, who="checker") as q:
        return q.get(sid)


async def keys(pilot, *keys):
    for k in keys:
        await pilot.press(k)
        await pilot.pause()


def test_opens_on_the_pending_list_with_the_first_item(db):
    async def scenario(app, pilot, q):
        screen = app.screen
        assert len(screen.list.seqs) == 5 and screen.item.id == "s1"
        return screen_text(app)

    shown = run(db, scenario)
    assert "jargon 'fine-tune' is a term" in shown and "further train" in shown
    assert "5 pending/5" in shown and "a accept" in shown


def test_accept_moves_to_the_next_pending(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "a")
        return app.screen.item.id, list(app.screen.list.seqs)

    current, seqs = run(db, scenario)
    assert check(db, "s1").status == "accepted" and check(db, "s1").decided_by == "alice"
    assert current == "s2" and len(seqs) == 4


def test_reject_with_reason_preselected_from_the_flags(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "r")
        assert type(app.screen).__name__ == "ReasonModal"
        await keys(pilot, "enter")

    run(db, scenario)
    item = check(db, "s1")
    assert item.status == "rejected" and item.codes == ["jargon"]


def test_reject_with_more_reasons_and_a_note(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "r", "3", "tab")  # 3 = vague; tab moves to the note
        await pilot.press(*"LoRA")
        await keys(pilot, "enter")

    run(db, scenario)
    item = check(db, "s1")
    assert item.codes == ["jargon", "vague"] and item.note == "LoRA"


def test_reject_needs_a_reason(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "j", "j", "j", "r")  # s4 has no flags: nothing pre-selected
        await keys(pilot, "enter")
        still_open = type(app.screen).__name__
        await keys(pilot, "escape")
        return still_open

    assert run(db, scenario) == "ReasonModal"
    assert check(db, "s4").status == "pending"


def test_merge_into_a_duplicate_side_by_side(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "j", "m")
        assert type(app.screen).__name__ == "CompareScreen"
        shown = screen_text(app)
        await keys(pilot, "m")
        return shown

    shown = run(db, scenario)
    assert "0.91" in shown and "Cultural heritage institutions" in shown
    item = check(db, "s2")
    assert item.status == "merged" and item.merged_into == "p1"


def test_batch_reject_near_duplicates_then_undo(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "j", "D")
        selected = set(app.screen.list.selected)
        await keys(pilot, "r", "enter")
        decided = (check(db, "s2").status, check(db, "s5").status, check(db, "s5").codes)
        await keys(pilot, "u")
        return selected, decided

    selected, decided = run(db, scenario)
    assert selected == {"s2", "s5"}
    assert decided == ("rejected", "rejected", ["duplicate"])
    assert check(db, "s2").status == check(db, "s5").status == "pending"


def test_merge_a_selection_into_the_statement_it_duplicates(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "j", "D", "m")
        question = " ".join(screen_text(app).split())
        await keys(pilot, "y")
        return question

    question = run(db, scenario)
    assert "into p1" in question
    assert check(db, "s2").merged_into == check(db, "s5").merged_into == "p1"


def test_edit_keeps_the_original(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "e")
        area = app.screen.query_one("TextArea")
        area.text = "Europeana should further train an open language model on its metadata."
        await keys(pilot, "enter")

    run(db, scenario)
    item = check(db, "s1")
    assert item.status == "edited" and item.text.startswith("Europeana should further train")
    assert item.original_text.startswith("Europeana should fine-tune")


def test_theme_picker_confirms_the_suggestion(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "t", "enter")

    run(db, scenario)
    theme = check(db, "s1").theme
    assert (theme.theme, theme.source) == ("7", "analyst")


def test_undo_the_last_decision(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "a", "u")
        return app.screen.item.id

    assert run(db, scenario) == "s1"
    assert check(db, "s1").status == "pending"


def test_filter_and_search(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "f")
        box = app.screen.query_one("Input")
        box.value = "code:duplicate lang:en"
        await keys(pilot, "enter")
        filtered = [r.id for r in map(app.screen.list.row, range(len(app.screen.list.seqs)))]
        await keys(pilot, "slash")
        app.screen.query_one("Input").value = "museen"
        await keys(pilot, "enter")
        searched = [app.screen.list.row(i).id for i in range(len(app.screen.list.seqs))]
        await keys(pilot, "f")
        app.screen.query_one("Input").value = "status:wrong"
        await keys(pilot, "enter")
        error = screen_text(app)
        return filtered, searched, error

    filtered, searched, error = run(db, scenario)
    assert filtered == ["s2", "s5"] and searched == ["s3"] and "unknown status 'wrong'" in error


def test_pending_toggle_shows_decided_items(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "a")
        pending = len(app.screen.list.seqs)
        await keys(pilot, "p")
        return pending, len(app.screen.list.seqs)

    assert run(db, scenario) == (4, 5)


def test_revising_a_decided_item_asks_first(db):
    with Queue(db, who="bob") as bob:
        bob.accept(["s4"])

    async def scenario(app, pilot, q):
        await keys(pilot, "p", "j", "j", "j", "r", "2", "enter")
        asked = type(app.screen).__name__
        await keys(pilot, "y")
        return asked

    assert run(db, scenario) == "ConfirmModal"
    item = check(db, "s4")
    assert item.status == "rejected" and item.decided_by == "alice"


def test_help_overlay(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "question_mark")
        text = screen_text(app)
        await keys(pilot, "escape")
        return text, type(app.screen).__name__

    text, after = run(db, scenario)
    assert "merge into a duplicate" in text and after == "ModerateScreen"


def test_sees_another_moderators_decisions_and_claims(db):
    async def scenario(app, pilot, q):
        with Queue(db, who="bob") as bob:
            assert bob.claim("s2") is None
            bob.reject(["s3"], ["duplicate"])
            await pilot.pause(1.5)  # one poll
            seqs = [app.screen.list.row(i).id for i in range(len(app.screen.list.seqs))]
            marks = {app.screen.list.row(i).id: app.screen.list.row(i).claimed_by for i in range(len(seqs))}
            await keys(pilot, "n")  # s1 -> next pending nobody holds: s4 (s2 is bob's)
            current = app.screen.item.id
            await keys(pilot, "k")  # back onto s2, which bob holds
            conflict = app.screen.item.claimed_by
            return seqs, marks, current, conflict

    seqs, marks, current, conflict = run(db, scenario)
    assert "s3" not in seqs and marks["s2"] == "bob" and current == "s4" and conflict == "bob"


def test_deciding_what_someone_else_just_decided_is_refused(db, monkeypatch):
    import statementkit.tui.moderate as moderate

    monkeypatch.setattr(moderate, "POLL_S", 3600)  # bob's decision lands between two polls
    # and before alice's claim on s1 (0.3 s after it is shown: on a loaded machine the app's start
    # took longer than that, alice held the claim and bob's decision was refused instead)
    monkeypatch.setattr(moderate, "CLAIM_DELAY_S", 3600)

    async def scenario(app, pilot, q):
        with Queue(db, who="bob") as bob:
            bob.reject(["s1"], ["jargon"])  # alice still has s1 on screen
            await keys(pilot, "a")
        return [n.message for n in app._notifications]

    messages = run(db, scenario)
    assert any("already rejected by bob" in m for m in messages)
    assert check(db, "s1").decided_by == "bob"


def test_analyst_confirms_cluster_and_statement_themes(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "v")
        assert type(app.screen).__name__ == "AnalystScreen"
        first = app.screen.current_cluster.id
        await keys(pilot, "c")  # confirm the first cluster's suggestion
        await keys(pilot, "tab")  # to the statements of the cluster
        member = app.screen.current_member["id"]
        await keys(pilot, "t", "down", "enter")  # choose another theme for that one
        return first, member

    first, member = run(db, scenario)
    with Queue(db, who="x") as q:
        clusters = {c.id: c for c in q.clusters()}
        assert clusters[first].confirmed
        assert q.get(member).theme.source == "analyst"


def test_analyst_renames_a_cluster(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "v")
        cid = app.screen.current_cluster.id
        await keys(pilot, "r")
        app.screen.query_one("Input").value = "Who controls the collections"
        await keys(pilot, "enter")
        return cid

    cid = run(db, scenario)
    with Queue(db, who="x") as q:
        assert next(c for c in q.clusters() if c.id == cid).label == "Who controls the collections"


def test_analyst_splits_statements_out_of_a_cluster(db):
    async def scenario(app, pilot, q):
        await keys(pilot, "v")
        cluster = next(c for c in app.screen.clusters if c.size == 3)
        app.screen.query_one("#clusters").highlighted = app.screen.clusters.index(cluster)
        await keys(pilot, "tab")
        member = app.screen.current_member["id"]
        await keys(pilot, "S")
        assert app.screen.query_one("Input").value == member  # the highlighted statement by default
        await keys(pilot, "enter")
        told = [n.message for n in app._notifications]
        stored = q.theme_decisions().splits
        await keys(pilot, "u")  # undo takes the split back
        undone = q.theme_decisions()
        await keys(pilot, "S")
        app.screen.query_one("Input").value = "s9"  # not in this cluster: a message, nothing stored
        await keys(pilot, "enter")
        return cluster.id, member, told, stored, undone, [n.message for n in app._notifications]

    cid, member, told, stored, undone, messages = run(db, scenario)
    assert [(s.cluster, s.ids) for s in stored] == [(cid, [member])]
    assert any(f"of cluster {cid} → new cluster {stored[0].into}" in m for m in told)
    assert any("cannot split s9 out of cluster" in m for m in messages)
    assert undone is not None and not undone.splits
    with Queue(db, who="x") as q:
        assert q.theme_decisions().splits == []
        q.split_cluster(cid, [member])
        (split,) = q.theme_decisions().splits
        assert (split.cluster, split.ids) == (cid, [member]) and split.into not in {c.id for c in q.clusters()}


def test_analyst_view_without_clusters_lists_published_statements(tmp_path):
    from statementkit.records import Statement

    path = tmp_path / "plain.db"
    Queue.create(path, published=[Statement("p1", "Museums should open their archives.", "en")]).close()

    async def scenario(app, pilot, q):
        header = screen_text(app)
        await keys(pilot, "t", "enter")
        return header

    header = run(path, scenario, analyst=True)
    assert "no clusters yet" in header
    assert check(path, "p1").theme.source == "analyst"


def test_edit_rechecks_the_draft_as_you_type(db, monkeypatch):
    """The edit dialog runs the checker on the draft (a stand-in checker here: the real one is tested in its module)."""
    from statementkit.records import Flag, Span
    from statementkit.tui.moderate import ModerateScreen

    def checker(self, lang):
        def check(text):
            at = text.find("LoRA")
            return [Flag("jargon", "'LoRA' is a term only AI specialists know", Span(at, at + 4))] if at >= 0 else []
        return check

    monkeypatch.setattr(ModerateScreen, "_draft_checker", checker)

    async def scenario(app, pilot, q):
        await keys(pilot, "e")
        await pilot.pause(0.6)
        before = screen_text(app)
        app.screen.query_one("TextArea").text = "Europeana should further train an open model on its metadata."
        await pilot.pause(0.6)
        after = screen_text(app)
        await keys(pilot, "escape")
        return before, after

    before, after = run(db, scenario)
    assert "jargon 'LoRA' is a term" in before
    assert "passes the checks" in after and "jargon" not in after


def test_a_locked_database_is_a_notification_not_a_crash(db):
    import sqlite3

    async def scenario(app, pilot, q):
        q.conn.execute("PRAGMA busy_timeout = 100")
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            await keys(pilot, "a")
            messages = [n.message for n in app._notifications]
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await keys(pilot, "a")
        return messages, app.is_running

    messages, running = run(db, scenario)
    assert any("locked by another process" in m for m in messages) and running
    assert check(db, "s1").status == "accepted"  # the second try, once the lock was gone


def test_select_duplicates_within_the_batch_keeps_the_current_one(tmp_path):
    from statementkit.pipeline import ScreenRow
    from statementkit.records import DedupResult, Duplicate, Statement

    path = tmp_path / "b.db"
    with Queue.create(path) as q:
        q.add_screened([
            ScreenRow(Statement("n1", "Archives should publish their AI policies.", "en"),
                      duplicates=DedupResult("n1", [Duplicate("n2", 0.95, published=False)], group=1)),
            ScreenRow(Statement("n2", "Archives must publish their policies on AI.", "en"),
                      duplicates=DedupResult("n2", [Duplicate("n1", 0.95, published=False)], group=1)),
        ])

    async def scenario(app, pilot, q):
        await keys(pilot, "D")
        selected = set(app.screen.list.selected)
        await keys(pilot, "m", "y")
        return selected

    assert run(path, scenario) == {"n2"}
    assert check(path, "n2").merged_into == "n1" and check(path, "n1").status == "accepted"


def test_a_merge_without_a_duplicate_needs_an_explicit_target(db):
    """Enter on an empty search never merges into whatever comes first; the target is named twice."""
    async def scenario(app, pilot, q):
        await keys(pilot, "m")
        assert type(app.screen).__name__ == "PickStatementModal"
        await keys(pilot, "enter")  # nothing typed: no merge, the list is focused instead
        still = check(db, "s1").status
        await keys(pilot, "escape", "m", *"p2", "enter")
        question = " ".join(screen_text(app).split())
        await keys(pilot, "y")
        return still, question

    still, question = run(db, scenario)
    assert still == "pending"
    assert "Merge s1 into p2" in question and "Museums should label" in question
    assert check(db, "s1").merged_into == "p2"


def test_a_themes_rerun_shows_its_progress_and_what_changed(db):
    """The header says the stage is running until it is done; the notice then says what changed
    (issue 15, finding 9)."""
    async def scenario(app, pilot, q):
        await keys(pilot, "v")
        screen = app.screen
        screen._progress("encode", 5, 10)
        await pilot.pause()
        running = str(screen.query_one("#a-header").render())
        screen._reclustered("themes: 2 clusters, 0% of statements unclustered", "information")
        await pilot.pause()
        after = str(screen.query_one("#a-header").render())
        return running, after

    running, after = run(db, scenario)
    assert "re-running the themes stage: encode 5/10" in running
    assert "re-running" not in after and "clusters confirmed" in after


def test_edit_clears_all_and_refuses_over_the_limit(db):
    """ctrl+u clears the whole text, not one wrapped line; an over-long edit is refused in the box
    (issue 15, finding 6)."""
    async def scenario(app, pilot, q):
        await keys(pilot, "e")
        area = app.screen.query_one("TextArea")
        await keys(pilot, "ctrl+u")
        cleared = area.text
        area.text = "Museums should label AI texts. " * 6
        await keys(pilot, "enter")
        still_open = type(app.screen).__name__
        await keys(pilot, "escape")
        return cleared, still_open

    cleared, still_open = run(db, scenario)
    assert cleared == "" and still_open == "EditModal"
    assert check(db, "s1").status == "pending" and check(db, "s1").text.startswith("Europeana should fine-tune")


def test_the_reject_dialog_names_the_statements_and_the_chosen_reasons(db):
    """A batch names what it will change; the chosen reasons read without colour (issue 15, 1 and 9)."""
    async def scenario(app, pilot, q):
        await keys(pilot, "j", "D", "r")
        shown = " ".join(screen_text(app).split())
        await keys(pilot, "escape")
        return shown

    shown = run(db, scenario)
    assert "Reject 2 statements (s2, s5) because" in shown and "reasons: duplicate" in shown
    # the boxes themselves read without colour: only the chosen reason is ticked
    assert "▐X▌ 8 duplicate" in shown and "▐ ▌ 1 too_long" in shown and shown.count("▐X▌") == 1


def test_a_participants_bidi_and_control_characters_never_reach_the_terminal(tmp_path):
    """A right-to-left override (U+202E) would reorder what the moderator sees, an ESC could retitle
    or recolour the terminal: the list, the detail and the flags show visible placeholders instead."""
    from statementkit.pipeline import ScreenRow
    from statementkit.records import Screening, Statement

    path = tmp_path / "hostile.db"
    q = Queue.create(path)
    text = "Keine \u202eLebendtiertransporte\u202c mehr \x1b]0;owned\x07!"
    q.add_screened([ScreenRow(Statement("h1", text, "de"), screening=Screening("h1", "accept", [], "de"))])
    q.close()

    async def scenario(app, pilot, queue):
        return screen_text(app)

    shown = run(path, scenario)
    assert "Lebendtiertransporte" in shown
    assert not any(ch in shown for ch in "\u202e\u202c\x1b\x07")
