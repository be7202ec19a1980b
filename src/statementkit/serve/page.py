"""The participant page: its words in each language, which language to show, the HTML.

The page is plain HTML, CSS and JavaScript from `assets/` (no framework, no
CDN: the service may run offline). Its own words are data (`assets/ui.toml`);
the advice comes from the API in the page's language, worded by the rules'
`messages/<lang>.toml` like every other front.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from statementkit.checks.ruleset import Rules

ASSETS = Path(__file__).resolve().parent / "assets"


@lru_cache(maxsize=1)
def ui_strings() -> dict[str, dict[str, str]]:
    """Language -> the page's words (`assets/ui.toml`)."""
    from statementkit.rules import load_toml

    return load_toml(ASSETS / "ui.toml")  # a mistake in it names the line, as in every rules file


def page_languages(rules: Rules) -> list[str]:
    """Languages the page can be shown in: its own words and the rules' messages both exist, in the
    order of ui.toml (en de fr nl es it pl)."""
    return [lang for lang in ui_strings() if lang in rules.messages]


def negotiate(accept_language: str | None, offered: list[str], default: str = "en") -> str:
    """The best of `offered` for an Accept-Language header ("de-CH,de;q=0.9,en;q=0.5"): by q-value,
    then by order; a regional tag counts for its language."""
    choices: list[tuple[float, int, str]] = []
    for n, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        lang = tag.strip().lower().split("-")[0]
        if lang in offered and q > 0:
            choices.append((-q, n, lang))
    if choices:
        return min(choices)[2]
    return default if default in offered else offered[0]


def page_config(rules: Rules, lang: str, *, submit: bool, page_token: str | None) -> dict[str, Any]:
    """What the page's script needs: its words, the limit, whether it may submit."""
    words = dict(ui_strings()[lang])
    labels = (rules.messages.get(lang) or {}).get("labels", {})
    words["fix"] = labels.get("fix", "How to fix it")
    return {"lang": lang, "limit": char_limit(rules), "submit": submit, "pageToken": page_token, "ui": words}


def char_limit(rules: Rules) -> int | None:
    """The assembly's length limit in characters (the `length` criterion), None when it is off."""
    for criterion in rules.criteria:
        if criterion.kind == "length" and criterion.enabled:
            return int(criterion.params.get("max_chars", 140))
    return None


@lru_cache(maxsize=1)
def _template() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(ASSETS), autoescape=select_autoescape(["html"]))
    return env.get_template("index.html")


def render_page(rules: Rules, lang: str, *, submit: bool, page_token: str | None, base: str = "") -> str:
    """The participant page in `lang`, with a language switcher over `page_languages`."""
    config = {**page_config(rules, lang, submit=submit, page_token=page_token), "base": base}
    words = config["ui"]
    limit = config["limit"]
    languages = [(code, ui_strings()[code]["name"]) for code in page_languages(rules)]
    # the script reads its settings from inert JSON; every "<" is escaped so no text can end the tag
    config_json = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    return _template().render(lang=lang, ui=words, limit=limit, hint=words["hint"].format(limit=limit or "∞"),
                              languages=languages, submit=submit, config_json=config_json, base=base,
                              assembly=rules.name)
