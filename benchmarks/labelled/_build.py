"""Building blocks of the labelled notebooks: cells with inline labels, outputs, fake keys.

A cell's source carries its labels as end-of-line markers, stripped before the notebook is
written (line numbers are unchanged):

    df = pd.read_csv("data/train.csv")   #@> IO001: relative path
    token = "ghp_..."                    #@> SEC: family only, the code is debatable
    df = pd.read_csv(url)                #@- remote URL: no IO or SEC finding here

``#@>`` lists what nb2prod should report on that line: codes (``IO001``) or bare families
(``IO``, ``SEC``) when the docs leave the code open; ``?`` marks a label the rule's
definition implies but the docs give no example of. ``#@-`` marks a hard negative. Outputs
and notebook metadata are labelled through ``Book.code(..., out=...)`` and ``Book.meta``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import string
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

MARKER = re.compile(r"[ \t]*#@([>-])(.*)$")
TOKEN = re.compile(r"^(IO|SEC|IO00[1-6]|SEC00[1-6]|\?)$")
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"


@dataclass
class Label:
    """An expected finding (``kind == "pos"``) or a hard negative (``"neg"``)."""

    notebook: str
    cell: int  # from 1, all cells counted; 0 = the notebook's own metadata
    line: int  # from 1, within the cell's source; 0 for the notebook's metadata
    kind: str
    family: str = ""
    code: str = ""
    stretch: bool = False
    note: str = ""


def parse_marker(text: str) -> tuple[list[tuple[str, str]], bool, str]:
    """``"IO001 SEC ? : note"`` -> ([(family, code), ...], stretch, note)."""
    head, _, note = text.partition(":")
    items, stretch = [], False
    for tok in head.split():
        if not TOKEN.match(tok):
            raise ValueError(f"bad label token {tok!r} in {text!r}")
        if tok == "?":
            stretch = True
        elif tok in ("IO", "SEC"):
            items.append((tok, ""))
        else:
            items.append((tok.rstrip("0123456789"), tok))
    if not items:
        raise ValueError(f"label without a family or code: {text!r}")
    return items, stretch, note.strip()


@dataclass
class Book:
    """One notebook under construction, with its labels."""

    name: str
    about: str
    executed: bool = True
    cells: list[dict[str, Any]] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    _count: int = 0

    def _source(self, text: str) -> str:
        """Strip the markers of the next cell, recording its labels."""
        index = len(self.cells) + 1
        out = []
        for n, line in enumerate(text.strip("\n").split("\n"), start=1):
            m = MARKER.search(line)
            if m:
                line = line[: m.start()]
                self._label(index, n, m.group(1), m.group(2))
            out.append(line)
        return "\n".join(out)

    def _label(self, cell: int, line: int, sign: str, text: str) -> None:
        if sign == "-":
            self.labels.append(Label(self.name, cell, line, "neg", note=text.strip()))
            return
        items, stretch, note = parse_marker(text)
        for family, code in items:
            self.labels.append(Label(self.name, cell, line, "pos", family, code, stretch, note))

    def _id(self) -> str:
        return hashlib.sha1(f"{self.name}:{len(self.cells)}".encode()).hexdigest()[:8]

    def md(self, text: str, attachments: dict[str, Any] | None = None) -> None:
        cell: dict[str, Any] = {"cell_type": "markdown", "id": self._id(), "metadata": {}}
        if attachments:
            cell["attachments"] = attachments
        cell["source"] = self._source(text)
        self.cells.append(cell)

    def code(
        self,
        text: str,
        outputs: list[dict[str, Any]] | None = None,
        *,
        count: int | None | bool = True,
        out: str = "",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """A code cell; ``count=True`` numbers it in run order (``None``: never run).

        ``out`` labels the outputs: ``"SEC005: note"`` expects a finding on the cell's first
        line (where SEC005 is reported), ``"- note"`` marks them a hard negative.
        """
        index = len(self.cells) + 1
        source = self._source(text)
        if out.startswith("-"):
            self._label(index, 1, "-", out[1:])
        elif out:
            self._label(index, 1, ">", out)
        if count is True:
            self._count += 1
            count = self._count if self.executed else None
        outputs = [dict(o) for o in outputs or []]
        for o in outputs:
            if o["output_type"] == "execute_result":
                o["execution_count"] = count
        self.cells.append(
            {
                "cell_type": "code",
                "execution_count": count if isinstance(count, int) else None,
                "id": self._id(),
                "metadata": metadata or {},
                "outputs": outputs,
                "source": source,
            }
        )

    def raw(self, text: str) -> None:
        """A raw cell (read by SEC004 like markdown)."""
        self.cells.append(
            {"cell_type": "raw", "id": self._id(), "metadata": {}, "source": self._source(text)}
        )

    def meta(self, extra: dict[str, Any], label: str) -> None:
        """Notebook metadata; ``label`` as for ``code(out=...)``, at cell 0, line 0."""
        self.metadata.update(extra)
        if label.startswith("-"):
            self._label(0, 0, "-", label[1:])
        else:
            self._label(0, 0, ">", label)

    def document(self) -> dict[str, Any]:
        """The nbformat 4.5 document, sources split into lines as Jupyter saves them."""
        cells = []
        for c in self.cells:
            c = dict(c)
            c["source"] = c["source"].splitlines(keepends=True)
            for o in c.get("outputs", []):
                if "text" in o:
                    o["text"] = o["text"].splitlines(keepends=True)
            cells.append(c)
        md = {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.11.7"},
        }
        md.update(self.metadata)
        return {"cells": cells, "metadata": md, "nbformat": 4, "nbformat_minor": 5}


def fill(text: str, **values: str) -> str:
    """Put the generated keys into a cell's text: ``@@NAME@@`` -> ``values["NAME"]``."""
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", value)
    if "@@" in text:
        raise ValueError(f"unfilled placeholder in {text[:80]!r}")
    return text


# ---- outputs -------------------------------------------------------------------------


def stdout(text: str, name: str = "stdout") -> dict[str, Any]:
    return {"name": name, "output_type": "stream", "text": text}


def result(plain: str, html: str = "") -> dict[str, Any]:
    data: dict[str, Any] = {"text/plain": plain.splitlines(keepends=True)}
    if html:
        data["text/html"] = html.splitlines(keepends=True)
    return {"data": data, "execution_count": None, "metadata": {}, "output_type": "execute_result"}


def error(ename: str, evalue: str, frames: list[str]) -> dict[str, Any]:
    return {"ename": ename, "evalue": evalue, "output_type": "error", "traceback": frames}


def png(seed: str, w: int = 24, h: int = 16) -> dict[str, Any]:
    """A display_data with a real (random-pixel) PNG: base64 that looks like keys."""
    return {
        "data": {
            "image/png": png_b64(seed, w, h),
            "text/plain": ["<Figure size 640x480 with 1 Axes>"],
        },
        "metadata": {},
        "output_type": "display_data",
    }


def png_b64(seed: str, w: int = 24, h: int = 16) -> str:
    rng = random.Random(seed)
    raw = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(w * 3)) for _ in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    blob = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
    return base64.b64encode(blob + chunk(b"IEND", b"")).decode() + "\n"


def widget(model_id: str, plain: str) -> dict[str, Any]:
    """An ipywidgets progress bar (tqdm.auto, datasets): a 32-hex model id, not a secret."""
    view = {"model_id": model_id, "version_major": 2, "version_minor": 0}
    return {
        "data": {"application/vnd.jupyter.widget-view+json": view, "text/plain": [plain]},
        "metadata": {},
        "output_type": "display_data",
    }


# ---- fake keys: random, never real; the seed is the notebook's name -------------------


class Fake:
    """Format-valid fake credentials, reproducible from a seed."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)

    def s(self, n: int, alphabet: str = ALNUM) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def digits(self, n: int) -> str:
        return str(self.rng.randrange(1, 10)) + self.s(n - 1, string.digits)

    def aws_id(self) -> str:
        return "AKIA" + self.s(16, string.ascii_uppercase + "234567")

    def aws_secret(self) -> str:
        return self.s(40, B64)

    def ghp(self) -> str:
        return "ghp_" + self.s(36)

    def github_pat(self) -> str:
        return "github_pat_" + self.s(22) + "_" + self.s(59)

    def glpat(self) -> str:
        return "glpat-" + self.s(20, URLSAFE)

    def xoxb(self) -> str:
        return f"xoxb-{self.digits(12)}-{self.digits(13)}-{self.s(24)}"

    def slack_hook(self) -> str:
        up = string.ascii_uppercase + string.digits
        return f"https://hooks.slack.com/services/T{self.s(8, up)}/B{self.s(10, up)}/{self.s(24)}"

    def discord_hook(self) -> str:
        return f"https://discord.com/api/webhooks/{self.digits(18)}/{self.s(68, URLSAFE)}"

    def stripe_live(self) -> str:
        return "sk_live_" + self.s(24)

    def openai(self) -> str:
        return "sk-proj-" + self.s(58, URLSAFE) + "T3BlbkFJ" + self.s(58, URLSAFE)

    def openai_legacy(self) -> str:
        return "sk-" + self.s(20) + "T3BlbkFJ" + self.s(20)

    def anthropic(self) -> str:
        return "sk-ant-api03-" + self.s(93, URLSAFE) + "AA"

    def hf(self) -> str:
        return "hf_" + self.s(34, string.ascii_letters)

    def google(self) -> str:
        return "AIza" + self.s(35, URLSAFE)

    def sendgrid(self) -> str:
        return "SG." + self.s(22, URLSAFE) + "." + self.s(43, URLSAFE)

    def telegram(self) -> str:
        return self.digits(10) + ":AA" + self.s(33, URLSAFE)

    def databricks(self) -> str:
        return "dapi" + self.s(32, HEX)

    def hexs(self, n: int = 32) -> str:
        return self.s(n, HEX)

    def uuid(self) -> str:
        h = self.hexs(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def password(self) -> str:
        """A human-chosen looking password: word, digits, symbol (valid in a URL's userinfo)."""
        word = self.rng.choice(["Sunset", "Granite", "Falcon", "Maple", "Harbor", "Cobalt"])
        return (
            f"{word}{self.digits(4)}{self.rng.choice('!*-_.')}{self.s(3, string.ascii_lowercase)}"
        )

    def jwt(self) -> str:
        def seg(obj: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

        body = {"sub": self.digits(9), "name": "svc-scoring", "iat": 1718000000}
        return seg({"alg": "HS256", "typ": "JWT"}) + "." + seg(body) + "." + self.s(43, URLSAFE)

    def pem(self) -> str:
        """A PEM private key as the one-line JSON string of a service-account file."""
        lines = [self.s(64, B64) for _ in range(6)] + [self.s(20, B64) + "=="]
        return (
            "-----BEGIN PRIVATE KEY-----\\n" + "\\n".join(lines) + "\\n-----END PRIVATE KEY-----\\n"
        )

    def azure_key(self) -> str:
        return self.s(86, B64) + "=="
