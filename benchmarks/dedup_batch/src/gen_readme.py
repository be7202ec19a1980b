import json
from pathlib import Path
OUT = Path(__file__).resolve().parent.parent
st = json.loads((OUT / "src" / "stats.json").read_text())
LANGS = ["en", "de", "fr", "nl", "es", "it", "pl"]
KINDS = ["paraphrase", "translation", "light_edit", "batch_duplicate", "different_claim", "stance_flip", "related", "unrelated"]

def table(split):
    s = st[split]
    rows = ["| kind | " + " | ".join(LANGS) + " | total |", "|---|" + "---|" * (len(LANGS) + 1)]
    for k in KINDS:
        kb = s["kind_by_lang"][k]
        rows.append(f"| {k} | " + " | ".join(str(kb.get(l, 0)) for l in LANGS) + f" | {s['kind'][k]} |")
    rows.append("| **total** | " + " | ".join(str(s["lang"][l]) for l in LANGS) + f" | {s['submissions']} |")
    pub = s["published_lang"]
    prow = "Published statements by language: " + ", ".join(f"{l} {pub.get(l, 0)}" for l in LANGS) + f" (total {s['published']})."
    extra = (f"Submissions with a non-empty `duplicate_of`: {s['with_duplicates']} "
             f"({s['dup_of_published']} duplicate a published statement, {s['kind']['batch_duplicate']} only other submissions). "
             f"Labelled duplicate pairs: {s['dup_pairs_sub_pub']} submission-published, {s['dup_pairs_sub_sub']} submission-submission. "
             f"Non-English submissions: {round(100 * s['non_english_share'], 1)} %.")
    return prow + "\n\n" + "\n".join(rows) + "\n\n" + extra

text = (OUT / "src" / "README.template.md").read_text()
text = text.replace("{{DEV_TABLE}}", table("dev")).replace("{{TEST_TABLE}}", table("test"))
(OUT / "README.md").write_text(text)
