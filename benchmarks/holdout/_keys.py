"""Fake credentials for the held-out notebooks: random characters in each provider's format.

Builds on ``benchmarks/labelled/_build.py`` (its ``Fake``, cells and outputs), adding formats
that set does not generate. Nothing here is a real key; the seed is the notebook's name.
"""

from __future__ import annotations

import base64
import json
import string
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "labelled"))

from _build import ALNUM, B64, HEX, URLSAFE, Book, Fake, fill, png, result, stdout  # noqa: E402

LOWER_DIGITS = string.ascii_lowercase + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits


class Keys(Fake):
    """``Fake`` plus the formats the held-out set needs."""

    def kaggle(self) -> str:
        return self.hexs(32)

    def jenkins(self) -> str:
        return "11" + self.hexs(32)

    def atlassian(self) -> str:
        return "ATATT3xFfGF0" + self.s(170, URLSAFE) + "=" + self.s(8, HEX.upper())

    def datadog_api(self) -> str:
        return self.hexs(32)

    def datadog_app(self) -> str:
        return self.hexs(40)

    def langsmith(self) -> str:
        return f"lsv2_pt_{self.hexs(32)}_{self.hexs(10)}"

    def pinecone(self) -> str:
        return f"pcsk_{self.s(5, LOWER_DIGITS)}_{self.s(62, ALNUM)}"

    def cohere(self) -> str:
        return self.s(40)

    def mapbox_secret(self) -> str:
        body = {"u": "mkovacs-geo", "a": self.s(25, LOWER_DIGITS)}
        head = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode())
        return "sk." + head.decode().rstrip("=") + "." + self.s(22, URLSAFE)

    def grafana(self) -> str:
        return f"glsa_{self.s(32)}_{self.hexs(8)}"

    def shopify(self) -> str:
        return "shpat_" + self.hexs(32)

    def airtable(self) -> str:
        return f"pat{self.s(14)}.{self.hexs(64)}"

    def facebook(self) -> str:
        return "EAAB" + self.s(180)

    def stripe_restricted(self) -> str:
        return "rk_live_" + self.s(99)

    def tableau_pat(self) -> str:
        return f"{self.s(22, B64)}==:{self.s(32)}"

    def app_password(self) -> str:
        """A Google app password as Google shows it: four groups of four letters."""
        return " ".join(self.s(4, string.ascii_lowercase) for _ in range(4))

    def confluent_key(self) -> str:
        return self.s(16, UPPER_DIGITS)

    def confluent_secret(self) -> str:
        return self.s(64, B64)

    def xoxp(self) -> str:
        return f"xoxp-{self.digits(12)}-{self.digits(12)}-{self.digits(13)}-{self.hexs(32)}"

    def pem_rsa_lines(self) -> list[str]:
        """A PEM RSA private key, one list item per line (for a triple-quoted string)."""
        body = ["MIIEow" + self.s(58, B64)] + [self.s(64, B64) for _ in range(5)]
        return [
            "-----BEGIN RSA PRIVATE KEY-----",
            *body,
            self.s(28, B64) + "=",
            "-----END RSA PRIVATE KEY-----",
        ]

    def masked_openai(self) -> str:
        """OpenAI's own masking in error messages: stars and the last four characters."""
        return "sk-proj-" + "*" * 40 + self.s(4)


def databricks_cell(k: Keys) -> dict[str, object]:
    """The cell metadata a Databricks export writes (a random ``nuid``, not a secret)."""
    return {
        "application/vnd.databricks.v1+cell": {
            "cellMetadata": {"byteLimit": 2048000, "rowLimit": 10000},
            "inputWidgets": {},
            "nuid": k.uuid(),
            "showTitle": False,
            "title": "",
        }
    }


__all__ = ["Book", "Keys", "databricks_cell", "fill", "png", "result", "stdout"]
