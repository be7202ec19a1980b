"""`statementkit serve`: every endpoint, error and limit through the ASGI test client, and the
same-verdict rule (the API answers exactly what `statementkit check` prints)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from statementkit.checks import load_rules
from statementkit.cli.main import app as cli
from statementkit.embed import HashingEmbedder
from statementkit.io import read_statements
from statementkit.queue import Queue
from statementkit.records import Statement
from statementkit.serve import Limits, create_app
from statementkit.serve.limits import RateLimiter, page_token, valid_page_token
from statementkit.serve.page import ASSETS, negotiate, ui_strings

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "corpus" / "demo-submissions.jsonl"
TOKEN = "test-token-0123456789"

#: Inputs a public endpoint gets sooner or later: each must get the verdict `check` gives it.
BAD_INPUTS = [
    "", "   ", "\n\t", "?!", "🙂🙂🙂", "\u200b\u200b", "a", "AI",
    "<script>alert(1)</script> Museums should label AI images.",
    "Museums\x1b[31m should\x07 label AI images.",
    "Musées devraient étiqueter les images générées par l'IA" + " très" * 40,
    "博物馆应该标注人工智能生成的图片。",
    "المتاحف يجب أن تضع علامات على الصور",
    "Museums should label AI images.\u202eevil",
    "MUSEUMS SHOULD LABEL AI IMAGES!!!",
    "e\u0301" * 150,
    "Museums should label AI images. " * 5,
    "ok " * 600,
]


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def client(rules):
    """Lexicons only (no model), generous rate limit: the checks' answers, fast."""
    app = create_app(rules, embedder=None, limits=Limits(rate=0))
    with TestClient(app) as c:
        yield c


def cli_records(path: Path, *extra: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["check", str(path), "--no-embed", "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def record_of(answer: dict) -> dict:
    """The API's answer without what it adds to `check`'s record."""
    return {k: v for k, v in answer.items() if k not in ("advice", "characters")}


# ------------------------------------------------------------------ the same verdict everywhere


def test_batch_check_of_the_demo_batch_is_exactly_what_check_prints(client):
    statements = read_statements(DEMO)
    answer = client.post("/api/v1/check/batch", json={"items": [{"id": s.id, "text": s.text} for s in statements]})
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [record_of(r) for r in results] == cli_records(DEMO)
    assert {r["verdict"] for r in results} == {"accept", "review", "reject"}
    for r in results:  # the advice says the same thing as the record, in the statement's language
        assert r["advice"]["verdict"] == r["verdict"]
        assert [p["code"] for p in r["advice"]["problems"]] == [f["code"] for f in r["flags"]]
        assert r["advice"]["lang"] == (r["lang"] if r["lang"] in ("en", "de", "fr", "nl", "es", "it", "pl", "pt")
                                       else "en")


def test_single_check_agrees_with_check_on_bad_inputs(client, rules, tmp_path):
    """Through the command for every input it reads (it refuses an empty text as a file error), and
    through the function it runs for all of them."""
    from statementkit.checks import check

    answers = [client.post("/api/v1/check", json={"id": f"b{n}", "text": t}) for n, t in enumerate(BAD_INPUTS)]
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers if a.status_code != 200]
    records = [record_of(a.json()) for a in answers]
    assert records == [s.to_dict() for s in check([Statement(f"b{n}", t) for n, t in enumerate(BAD_INPUTS)], rules)]
    readable = [n for n, t in enumerate(BAD_INPUTS) if t.strip()]
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps({"id": f"b{n}", "text": BAD_INPUTS[n]}) + "\n" for n in readable),
                    encoding="utf-8")
    assert [records[n] for n in readable] == cli_records(path)
    assert records[0]["verdict"] == "reject" and records[0]["flags"][0]["code"] == "no_standpoint"


def test_a_forced_language_is_what_check_lang_does(client, tmp_path):
    text = "Museums should label every image made with AI."
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"id": "draft", "text": text}) + "\n", encoding="utf-8")
    answer = client.post("/api/v1/check", json={"text": text, "lang": "de"}).json()
    assert answer["lang"] == "de" and record_of(answer) == cli_records(path, "--lang", "de")[0]


def test_advice_comes_in_the_language_asked_for_with_spans_and_fixes(client):
    text = "Wie viele Museen in Europa nutzen bereits KI-Werkzeuge?"
    own = client.post("/api/v1/check", json={"text": text}).json()
    french = client.post("/api/v1/check", json={"text": text, "advice_lang": "fr-BE"}).json()
    assert own["advice"]["lang"] == "de" and french["advice"]["lang"] == "fr"
    assert own["verdict"] == french["verdict"] == "reject"
    problem = french["advice"]["problems"][0]
    assert problem["code"] == "no_standpoint" and "question" in problem["message"] and problem["fix"]
    assert problem["span"] == [0, len(text)]
    assert own["characters"] == {"count": len(text), "limit": 140}
    assert "text" not in own["advice"]  # drafts are not echoed around


# ------------------------------------------------------------------ errors and limits


@pytest.mark.parametrize("body,field", [
    ({}, "text"),
    ({"text": 5}, "text"),
    ({"text": "Museums should act.", "colour": "red"}, "colour"),
    ({"text": "Museums should act.", "lang": "klingon"}, "lang"),
    ({"text": "Museums should act.", "advice_lang": "zz"}, "advice_lang"),
    ({"text": "Museums should act.", "id": "no spaces allowed"}, "id"),
    ({"text": "x" * 2001}, "text"),
])
def test_invalid_requests_are_422_naming_the_field(client, body, field):
    answer = client.post("/api/v1/check", json=body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["status"] == 422 and error["field"] == field and error["message"]


def test_batch_limits_name_the_item(client):
    too_many = client.post("/api/v1/check/batch", json={"items": [{"text": "a"}] * 101})
    assert too_many.status_code == 422 and too_many.json()["error"]["field"] == "items"
    long_one = client.post("/api/v1/check/batch", json={"items": [{"text": "ok"}, {"text": "y" * 2001}]})
    assert long_one.status_code == 422 and long_one.json()["error"]["field"] == "items.1.text"
    answer = client.post("/api/v1/check/batch", json={"items": [{"text": "a"}, {"text": "b", "id": "x"}]})
    assert [r["id"] for r in answer.json()["results"]] == ["1", "x"]


def test_malformed_json_and_unknown_paths_are_json_errors(client):
    broken = client.post("/api/v1/check", content=b'{"text": ', headers={"content-type": "application/json"})
    assert broken.status_code == 422 and "JSON" in broken.json()["error"]["message"]
    assert client.get("/api/v1/nothing").json()["error"]["status"] == 404
    assert client.get("/api/v1/check").status_code == 405


def test_bodies_over_the_limit_are_413_declared_or_streamed(rules):
    app = create_app(rules, embedder=None, limits=Limits(max_body_bytes=1000, rate=0), warm=False)
    with TestClient(app) as c:
        declared = c.post("/api/v1/check", json={"text": "x" * 2000})
        assert declared.status_code == 413 and declared.json()["error"]["code"] == "too_large"

        def chunks():  # no Content-Length: read until the limit, then refused
            for _ in range(5):
                yield b'{"text": "' + b"x" * 400

        streamed = c.post("/api/v1/check", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413
        assert c.post("/api/v1/check", json={"text": "Museums should act."}).status_code == 200


def test_a_client_over_its_rate_gets_429_with_retry_after(rules):
    app = create_app(rules, embedder=None, limits=Limits(rate=60, burst=3), warm=False)
    with TestClient(app) as c:
        codes = [c.post("/api/v1/check", json={"text": "Museums should act."}).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        limited = c.get("/api/v1/rules")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"]["code"] == "rate_limited"
        assert c.get("/healthz").status_code == 200  # health checks are never limited


def test_rate_limiter_refills_and_keeps_clients_apart():
    now = [0.0]
    limiter = RateLimiter(rate=60, burst=2, clock=lambda: now[0])
    assert [limiter.allow("a")[0] for _ in range(3)] == [True, True, False]
    assert limiter.allow("b")[0]
    now[0] += 1.0  # one request per second comes back
    assert limiter.allow("a")[0] and not limiter.allow("a")[0]
    small = RateLimiter(rate=60, burst=1, max_clients=10, clock=lambda: now[0])
    for n in range(100):
        small.allow(f"c{n}")
    assert len(small._buckets) <= 10


def test_cors_allows_only_the_listed_origins(rules):
    app = create_app(rules, embedder=None, cors_origins=("https://platform.example.org",), warm=False)
    with TestClient(app) as c:
        ok = c.post("/api/v1/check", json={"text": "Museums should act."},
                    headers={"Origin": "https://platform.example.org"})
        assert ok.headers["access-control-allow-origin"] == "https://platform.example.org"
        other = c.post("/api/v1/check", json={"text": "Museums should act."},
                       headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        preflight = c.options("/api/v1/check", headers={"Origin": "https://platform.example.org",
                                                        "Access-Control-Request-Method": "POST",
                                                        "Access-Control-Request-Headers": "content-type"})
        assert preflight.status_code == 200
        assert "frame-ancestors https://platform.example.org" in c.get("/").headers["content-security-policy"]


# ------------------------------------------------------------------ rules, health, OpenAPI


def test_rules_describe_languages_limits_and_criteria_in_every_language(client):
    body = client.get("/api/v1/rules").json()
    assert body["limits"] == {"max_chars": 140}
    assert {"en", "de", "fr", "nl", "es", "it", "pl"} <= set(body["languages"]) & set(body["advice_languages"])
    codes = {c["code"] for c in body["criteria"]}
    assert {"too_long", "jargon", "vague", "incivility"} <= codes
    for criterion in body["criteria"]:
        assert all(criterion["text"][lang]["title"] for lang in body["advice_languages"])
    jargon = next(c for c in body["criteria"] if c["code"] == "jargon")
    assert jargon["text"]["de"]["title"] != jargon["text"]["en"]["title"]


def test_health_and_openapi(client):
    assert client.get("/healthz").json() == {"status": "ok", "model": None, "queue": False}
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/check", "/api/v1/check/batch", "/api/v1/rules", "/api/v1/submissions",
            "/api/v1/submissions/{sid}"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 404  # the Swagger page loads from a CDN: off


# ------------------------------------------------------------------ submissions


@pytest.fixture
def queued(rules, tmp_path):
    """An app with a queue (two published statements) and a token; a fake embedder keeps it fast."""
    path = tmp_path / "assembly.db"
    Queue.create(path, published=[
        Statement("p1", "Cultural heritage institutions should keep control over how their collections train AI.",
                  "en"),
        Statement("p2", "Museums should label every AI-generated description in their catalogues.", "en"),
    ]).close()
    app = create_app(rules, path, embedder=HashingEmbedder(), token=TOKEN, limits=Limits(rate=0), warm=False)
    with TestClient(app) as c:
        yield c, path


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_submissions_need_the_token(queued):
    c, _ = queued
    body = {"text": "Archives should publish their AI policies openly."}
    assert c.post("/api/v1/submissions", json=body).status_code == 401
    wrong = c.post("/api/v1/submissions", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
    assert c.get("/api/v1/submissions/whatever").status_code == 401


def test_a_submission_is_queued_screened_and_its_rejection_explained(queued):
    c, path = queued
    text = "Only idiots think AI can write a museum label better than a curator."
    added = c.post("/api/v1/submissions", json={"text": text, "id": "platform-42"}, headers=AUTH)
    assert added.status_code == 201, added.text
    assert added.json() == {"id": "platform-42", "status": "pending", "verdict": "reject",
                            "codes": [], "added": True}
    again = c.post("/api/v1/submissions", json={"text": text, "id": "platform-42"}, headers=AUTH)
    assert again.status_code == 200 and again.json()["added"] is False
    clash = c.post("/api/v1/submissions", json={"text": "Something else.", "id": "platform-42"}, headers=AUTH)
    assert clash.status_code == 409 and clash.json()["error"]["field"] == "id"

    with Queue(path) as q:
        item = q.get("platform-42")
        assert item.status == "pending" and "incivility" in item.flag_codes
        assert item.verdict == c.post("/api/v1/check", json={"text": text}).json()["verdict"]
        q.reject(["platform-42"], codes=["incivility", "duplicate"])
    status = c.get("/api/v1/submissions/platform-42?lang=pl", headers=AUTH).json()
    assert status["status"] == "rejected" and status["published"] is False
    assert status["codes"] == ["incivility", "duplicate"] and status["lang"] == "pl"
    incivility, duplicate = status["reasons"]
    assert "Only idiots" in incivility["message"] and incivility["fix"]  # worded for the author's own text
    assert duplicate["title"] and duplicate["fix"] and "{" not in duplicate["message"] + duplicate["fix"]
    assert c.get("/api/v1/submissions/platform-42", headers=AUTH).json()["lang"] == "en"  # the statement's own
    assert c.get("/api/v1/submissions/p1", headers=AUTH).status_code == 404  # published, not a submission
    assert c.get("/api/v1/submissions/nope", headers=AUTH).status_code == 404


def test_the_page_submits_with_its_own_token_but_cannot_choose_ids(queued):
    c, _ = queued
    html = c.get("/?lang=en").text
    assert 'id="sk-submit"' in html
    config = json.loads(html.split('id="sk-config">')[1].split("</script>")[0])
    headers = {"X-Page-Token": config["pageToken"]}
    added = c.post("/api/v1/submissions", json={"text": "Archives should publish their AI policies openly."},
                   headers=headers)
    assert added.status_code == 201 and added.json()["id"].startswith("web-")
    assert c.get(f"/api/v1/submissions/{added.json()['id']}", headers=headers).json()["status"] == "pending"
    chosen = c.post("/api/v1/submissions", json={"text": "Archives should act.", "id": "mine"}, headers=headers)
    assert chosen.status_code == 422 and chosen.json()["error"]["field"] == "id"
    assert c.post("/api/v1/submissions", json={"text": "  "}, headers=AUTH).json()["error"]["field"] == "text"


def test_page_tokens_expire_and_are_bound_to_the_api_token():
    token = page_token("secret", 60, now=1000)
    assert valid_page_token(token, "secret", now=1030)
    assert not valid_page_token(token, "secret", now=1061)
    assert not valid_page_token(token, "other", now=1030)
    assert not valid_page_token("9999999999.forged", "secret", now=1030)
    assert not valid_page_token(token, None, now=1030)


def test_without_a_queue_submissions_are_404_and_a_queue_without_token_is_refused(client, rules, tmp_path,
                                                                                  monkeypatch):
    missing = client.post("/api/v1/submissions", json={"text": "Museums should act."}, headers=AUTH)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "no_queue"
    assert 'id="sk-submit"' not in client.get("/").text
    monkeypatch.delenv("STATEMENTKIT_TOKEN", raising=False)
    Queue.create(tmp_path / "q.db").close()
    from statementkit.errors import StatementkitError

    with pytest.raises(StatementkitError, match="STATEMENTKIT_TOKEN"):
        create_app(rules, tmp_path / "q.db", embedder=None, warm=False)
    with pytest.raises(StatementkitError, match="no such queue"):
        create_app(rules, tmp_path / "missing.db", embedder=None, token=TOKEN, warm=False)


# ------------------------------------------------------------------ the page


def test_page_language_from_accept_language_or_the_switcher(client):
    german = client.get("/", headers={"Accept-Language": "de-CH,de;q=0.9,en;q=0.5"})
    assert german.headers["content-language"] == "de" and '<html lang="de">' in german.text
    assert "Ihre Aussage" in german.text and 'aria-live="polite"' in german.text
    polish = client.get("/?lang=pl", headers={"Accept-Language": "de"})
    assert '<html lang="pl">' in polish.text and 'aria-current="page">Polski' in polish.text
    assert client.get("/?lang=xx", headers={"Accept-Language": "ja"}).headers["content-language"] == "en"
    assert negotiate("fr;q=0.2, nl;q=0.8", ["en", "fr", "nl"]) == "nl"
    assert negotiate("*", ["en", "de"]) == "en"


def test_page_is_self_contained_labelled_and_says_drafts_are_not_kept(client):
    html = client.get("/?lang=en").text
    assert '<label for="sk-text">' in html and "neither stored nor logged" in html
    assert "http://" not in html and "https://" not in html  # nothing from elsewhere: works offline
    for asset in ("page.js", "page.css", "embed.js"):
        answer = client.get(f"/static/{asset}")
        assert answer.status_code == 200 and "http://" not in answer.text and "https://" not in answer.text.split(
            "\n", 3)[-1]
    csp = client.get("/").headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors *" in csp


def test_page_words_exist_in_every_language_with_the_same_placeholders():
    import re

    strings = ui_strings()
    assert list(strings) == ["en", "de", "fr", "nl", "es", "it", "pl"]
    english = strings["en"]
    for lang, words in strings.items():
        assert set(words) == set(english), lang
        for key, text in words.items():
            assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", english[key])), (lang, key)
    with open(ASSETS / "ui.toml", "rb") as f:
        assert tomllib.load(f) == strings


def test_no_draft_text_reaches_the_log(client, caplog):
    secret = "Museums should hide the zebra-unicorn-4711 files."
    with caplog.at_level("DEBUG"):
        client.post("/api/v1/check", json={"text": secret})
    assert "zebra-unicorn-4711" not in caplog.text


def test_serve_help_has_an_example():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "Example: " in result.output and "--queue" in result.output


# ------------------------------------------------------------------ with the model (slow)


#: Vague in wording no lexicon lists: only the model's classifier flags it.
MODEL_ONLY = "Heritage bodies ought to embark on a transformative journey with AI."


@pytest.mark.slow
def test_with_the_model_the_api_gives_checks_verdicts_on_the_demo_batch(rules):
    """The default app (the installed model, as `check` uses by default) against `check` with it."""
    from statementkit.checks import check
    from statementkit.embed import installed_embedder

    embedder = installed_embedder()
    if embedder is None:
        pytest.skip("the embedding model is not installed")
    statements = read_statements(DEMO)
    app = create_app(rules, limits=Limits(rate=0))
    with TestClient(app) as c:
        answer = c.post("/api/v1/check/batch", json={"items": [{"id": s.id, "text": s.text} for s in statements]})
        results = answer.json()["results"]
        bad = [c.post("/api/v1/check", json={"id": f"b{n}", "text": t}).json() for n, t in enumerate(BAD_INPUTS)]
        vague = c.post("/api/v1/check", json={"text": MODEL_ONLY, "advice_lang": "nl"}).json()
    expected = check(statements, rules, embedder=embedder)
    assert [record_of(r) for r in results] == [s.to_dict() for s in expected]
    assert record_of(vague) == check([Statement("draft", MODEL_ONLY)], rules, embedder=embedder)[0].to_dict()
    assert vague["flags"][0]["rule"] == "vague:model" and vague["advice"]["problems"][0]["title"] == "Te vaag"
    expected_bad = check([Statement(f"b{n}", t) for n, t in enumerate(BAD_INPUTS)], rules, embedder=embedder)
    assert [record_of(r) for r in bad] == [s.to_dict() for s in expected_bad]


def test_concurrent_checks_are_batched_and_each_gets_its_own_answer(rules, monkeypatch):
    """Requests that arrive while a check runs share the next one; nobody gets another's answer."""
    import threading
    import time

    from statementkit.serve import service as service_module
    from statementkit.serve.service import Service

    svc = Service(rules)
    texts = [s.text for s in read_statements(DEMO)[:16]]
    langs = ["en", "de", "fr", "nl", "es", "it", "pl", None] * 2
    alone = [svc.check([Statement("x", t)], lang)[0].to_dict() for t, lang in zip(texts, langs)]
    calls = []
    real = service_module.check_with_advice

    def slow(statements, *args, **kwargs):
        calls.append(len(statements))
        time.sleep(0.05)  # long enough for the other requests to queue up behind this one
        return real(statements, *args, **kwargs)

    monkeypatch.setattr(service_module, "check_with_advice", slow)
    answers: list = [None] * len(texts)

    def ask(n: int) -> None:
        answers[n] = svc.check([Statement("x", texts[n])], langs[n])[0].to_dict()

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == alone
    assert sum(calls) == len(texts) and len(calls) < len(texts)
