"""Hard-coded secrets: provider token formats, credentials bound to literals, passwords in
URLs, in code, markdown, outputs and metadata. Nothing here ever returns a secret in full.

Formats and the vocabulary that tells credentials from placeholders are data, in
``rules/secrets.toml`` (plus settings ``extra-secret-patterns``). The modules:
``vocab`` (the word lists), ``formats`` (the format catalogue and its scan),
``predicates`` (the named false-positive predicates), ``credentials`` (credential names,
literal values, assignments in text), ``urls`` (user-info, query parameters, path
segments), ``shell`` (command lines and header text), ``bindings`` (names bound to
literals in Python), ``clients`` (literals passed positionally to known clients),
``joined`` (strings joined from constants), ``code_cells``, ``text`` (other cells, outputs,
metadata), ``model`` (matches and hits), ``redaction`` (masked lines) and ``scan`` (the
whole notebook).
"""

from nb2prod.analysis.secrets.credentials import (
    CredentialName,
    credential_name,
    env_name,
    literal_secret,
    scan_string_assignments,
    scan_text_assignments,
)
from nb2prod.analysis.secrets.formats import (
    Catalogue,
    SecretPattern,
    catalogue,
    keywords_in,
    scan_provider_formats,
)
from nb2prod.analysis.secrets.model import (
    ASSIGNMENT,
    CODE,
    COMMENT,
    MAGIC,
    MARKDOWN,
    METADATA,
    OUTPUT,
    PROVIDER,
    RAW,
    URL,
    SecretHit,
    TextMatch,
    mask,
)
from nb2prod.analysis.secrets.predicates import (
    in_base64_blob,
    is_commit_id,
    is_env_var_name,
    is_example_key,
    is_hash,
    is_identifier_like,
    is_path_like,
    is_placeholder,
    is_sequential,
    is_templated,
    is_uuid,
    is_wordy,
    shannon_entropy,
    words_of,
)
from nb2prod.analysis.secrets.redaction import redact
from nb2prod.analysis.secrets.scan import find_secrets
from nb2prod.analysis.secrets.text import TEXT_MIME_TYPES, output_texts
from nb2prod.analysis.secrets.urls import scan_urls
from nb2prod.analysis.secrets.vocab import Vocabulary, vocabulary

__all__ = [
    "ASSIGNMENT",
    "CODE",
    "COMMENT",
    "MAGIC",
    "MARKDOWN",
    "METADATA",
    "OUTPUT",
    "PROVIDER",
    "RAW",
    "TEXT_MIME_TYPES",
    "URL",
    "Catalogue",
    "CredentialName",
    "SecretHit",
    "SecretPattern",
    "TextMatch",
    "Vocabulary",
    "catalogue",
    "credential_name",
    "env_name",
    "find_secrets",
    "in_base64_blob",
    "is_commit_id",
    "is_env_var_name",
    "is_example_key",
    "is_hash",
    "is_identifier_like",
    "is_path_like",
    "is_placeholder",
    "is_sequential",
    "is_templated",
    "is_uuid",
    "is_wordy",
    "keywords_in",
    "literal_secret",
    "mask",
    "output_texts",
    "redact",
    "scan_provider_formats",
    "scan_string_assignments",
    "scan_text_assignments",
    "scan_urls",
    "shannon_entropy",
    "vocabulary",
    "words_of",
]
