"""Text: the language of a statement, its tokens and lemmas, and the one normaliser.

    from statementkit.text import detect, fold
    detect("Kein Tempolimit auf Autobahnen", ("de", "en"))   # 'de'
    fold("Musées")                                          # 'musees'

Modules: `language` (detection among the assembly's languages), `nlp` (tokens,
lemmas, stems, stop words), `lemma_tables` (spaCy's lookup tables on disk),
`parsing` (dependency parses, only where a check needs one), `normalise`.
"""

from statementkit.text.language import detect, detect_languages, with_languages
from statementkit.text.normalise import fold

__all__ = ["detect", "detect_languages", "fold", "with_languages"]
