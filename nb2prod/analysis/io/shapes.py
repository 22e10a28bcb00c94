"""Which text looks like a file path: :func:`path_style` for literals that are absolute,
home-directory or Windows paths (IO005), and :func:`fits_shape` for the path argument of
calls matched only by a generic method name."""

from __future__ import annotations

import re

from nb2prod.analysis.values import HOLE, LOCAL, Value

_REGEXISH = re.compile(r"[()\[\]^$|\\+?{}]")
_EXTENSION = re.compile(r"\.(?=[A-Za-z0-9_]*[A-Za-z])[A-Za-z0-9_]{1,10}$")
_EXPLICIT = re.compile(r"^(?:\.{1,2}[/\\]|/|~[/\\]|[A-Za-z]:[\\/])")

# Literal path shapes for IO005.
_COMPONENT = r"[\w.\-~@+%,=*!#& ]+"
_POSIX = re.compile(rf"^/(?:{_COMPONENT}/)*{_COMPONENT}/?$")
_HOME = re.compile(rf"^~[/\\](?:{_COMPONENT}[/\\])*(?:{_COMPONENT})?$")
_WINDOWS = re.compile(r"^[A-Za-z]:[\\/](?:[^\\/:*?\"<>|\r\n]+[\\/]?)+$")
_UNC = re.compile(r"^\\\\[\w.$\-]+\\[\w.$\- ]+(?:\\[^\\/:*?\"<>|\r\n]*)*$")
_ROOTS = frozenset(
    {
        "home",
        "Users",
        "mnt",
        "media",
        "data",
        "datasets",
        "var",
        "tmp",
        "content",
        "kaggle",
        "root",
        "srv",
        "Volumes",
        "dbfs",
        "workspace",
        "scratch",
        "gpfs",
        "nfs",
        "efs",
        "lustre",
        "shared",
        "projects",
        "storage",
        "private",
        "notebooks",
        "work",
        "Shared",
        "Library",
    }
)


def path_style(text: str) -> str | None:
    """``absolute``/``home``/``windows`` when ``text`` looks like such a path, else ``None``.

    Requires a path-like shape: ``/`` alone, URL routes such as ``/api/v1`` and regexes are
    not paths; a POSIX path must start at a well-known root (``/home``, ``/data``,
    ``/content`` ...) or end in a file name with an extension, and have two parts or more.
    """
    if len(text) > 300 or "\n" in text or text != text.strip():
        return None
    if text.startswith("file://"):
        text = text[len("file://") :]
    if text.startswith("/"):
        if text.startswith("//") or not _POSIX.match(text):
            return None
        parts = [p for p in text.split("/") if p]
        if not parts or "  " in text:
            return None
        if len(parts) >= 2 and (parts[0] in _ROOTS or _EXTENSION.search(parts[-1])):
            return "absolute"
        return None
    if text.startswith("~"):
        return "home" if len(text) > 2 and _HOME.match(text) else None
    if _WINDOWS.match(text) or _UNC.match(text):
        return "windows"
    return None


def fits_shape(value: Value, shape: str) -> bool:
    """For generic method names: does the local path text look like a file path?"""
    if shape == "any" or value.kind != LOCAL or value.text is None:
        return True
    text = value.text.replace(HOLE, "x")
    if _REGEXISH.search(text) or not text.strip():
        return False
    if shape == "path":
        return True
    last = text.replace("\\", "/").rstrip("/").rpartition("/")[2]
    return bool(_EXPLICIT.match(text) or _EXTENSION.search(last))


def normal_path(text: str) -> str:
    """``./models/x/`` -> ``models/x``: the form paths are compared in."""
    text = text.replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text.rstrip("/") or "."


def local_model_path(value: Value, roots: frozenset[str], written: set[str]) -> bool:
    """For calls that also take a model hub id (``from_pretrained("bert-base-uncased")``,
    ``from_pretrained("facebook/bart-large")``): is the path surely a local folder? Yes when
    it starts with ``./``, ``../``, ``/``, ``~`` or a drive, has two slashes or more (hub
    ids have one at most), starts with a usual local folder (``models/``, ``checkpoints/``,
    ``[model-ids] local-roots``), or is (under) a path the notebook wrote before."""
    if value.kind != LOCAL or value.text is None:
        return True  # not a local path anyway: the event says what it is
    text = (value.text if value.exact else value.prefix).replace("\\", "/")
    if _EXPLICIT.match(text) or text in (".", ".."):
        return True
    if text.rstrip("/").count("/") >= 2:
        return True
    if text.split("/", 1)[0] in roots and (value.exact or "/" in text):
        return True
    path = normal_path(text) if value.exact else text.removeprefix("./")
    return any((value.exact and path == w) or path.startswith(w + "/") for w in written)
