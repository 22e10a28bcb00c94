"""Renderers: the only code that formats findings. Each exposes ``render(results) -> str``
except ``text``, which prints through rich."""

FORMATS = ("text", "json", "sarif", "github")
