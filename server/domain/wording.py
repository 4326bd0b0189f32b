"""A message that carries its own wording: a form's ``constraint_message`` ({zh, en}) is written by the form's
author in both languages, so no table (server/field_messages.py) can know it.

It is the English text as a ``str`` (logs, the command line and tests that read a message see the text they always
did) and keeps every language's text beside it; the edge picks the request's language (field_messages.translate)."""

from __future__ import annotations


class Worded(str):
    texts: dict[str, str]

    def __new__(cls, texts: dict[str, str], fallback: str) -> Worded:
        """``texts`` by language; ``fallback`` (English) where ``texts`` has no English."""
        message = super().__new__(cls, texts.get("en") or fallback)
        message.texts = dict(texts)
        return message

    def __reduce__(self) -> tuple[type[Worded], tuple[dict[str, str], str]]:
        """Copied and pickled with its texts (str's own way would call ``__new__`` with the text alone)."""
        return (Worded, (self.texts, str(self)))

    def in_language(self, lang: str) -> str | None:
        """The text in ``lang``, or None when the author gave none in it."""
        return self.texts.get(lang) or None
