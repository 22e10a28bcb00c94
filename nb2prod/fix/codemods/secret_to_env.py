"""Hard-coded secrets in code become reads of environment variables.

DESCRIPTION: Replace a secret literal by ``os.environ["NAME"]``.

``api_key = "sk-..."`` -> ``api_key = os.environ["OPENAI_API_KEY"]``; a secret inside a
longer literal keeps the rest (``"Bearer " + os.environ["API_TOKEN"]``); the default of an
environment lookup is dropped (``os.getenv("K", "sk-...")`` -> ``os.environ["K"]``); an
assignment into ``os.environ`` is removed (the variable is set outside the notebook).
"""

from __future__ import annotations

import re

import libcst as cst

from nb2prod.fix.codemods.positions import PositionTransformer, Replace

DESCRIPTION = "Replace hard-coded secrets by os.environ lookups."
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class SecretToEnv(PositionTransformer):
    """Applies the secret replacements planned by the fix engine (see module doc)."""

    DESCRIPTION = DESCRIPTION


def env_var(name: str) -> str:
    """A valid environment variable name (upper snake case)."""
    out = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper()
    return out if _ENV_NAME.match(out or "-") else f"SECRET_{out}" if out else "SECRET"


def environ_code(env: str, prefix: str = "", suffix: str = "") -> str:
    """``os.environ["ENV"]``, with the literal text around the secret kept."""
    parts = [_quote(prefix)] if prefix else []
    parts.append(f'os.environ["{env}"]')
    if suffix:
        parts.append(_quote(suffix))
    return " + ".join(parts)


def _quote(text: str) -> str:
    return (
        f'"{text}"' if text.isprintable() and '"' not in text and "\\" not in text else repr(text)
    )


def replace_expression(code: str) -> Replace:
    new = cst.parse_expression(code)
    return lambda _node: new


def remove_statement(env: str) -> Replace:
    """A statement line replaced by ``pass`` with a comment naming the variable to set."""

    def replace(line: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(line, cst.SimpleStatementLine)
        comment = cst.Comment(f"# {env}: set it in the environment (nb2prod --fix)")
        return line.with_changes(
            body=[cst.Pass()],
            trailing_whitespace=cst.TrailingWhitespace(
                whitespace=cst.SimpleWhitespace("  "), comment=comment
            ),
        )

    return replace
