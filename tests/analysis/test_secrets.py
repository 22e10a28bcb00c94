"""The secret analysis piece by piece: each false-positive predicate, the name classifier,
the value check, text scanners, masking and redaction, plus property tests. Tokens are
fake: random characters in the providers' formats."""

from __future__ import annotations

import base64
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nb2prod.analysis.secrets import (
    CredentialName,
    TextMatch,
    catalogue,
    credential_name,
    env_name,
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
    keywords_in,
    literal_secret,
    mask,
    output_texts,
    redact,
    scan_provider_formats,
    scan_text_assignments,
    scan_urls,
    shannon_entropy,
    words_of,
)

CAT = catalogue()
GITHUB = "ghp_4OOF8Q2YHt44hHZWnyojttOkdWhywW3FumfK"
AWS_ID = "AKIAFQNGIQ6I54K4Y3ML"
STRONG_KEY = CredentialName("key", strong=True)
WEAK_TOKEN = CredentialName("token", strong=False)
PASSWORD = CredentialName("password", strong=True)


def ids(text: str) -> list[str]:
    return [m.pattern_id for m in scan_provider_formats(text, CAT)]


# -- predicates ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    ["", "   ", "...", "…", "xxxx", "XXXXXXXXXXXXXXXX", "***", "********", "changeme",
     "CHANGEME", "<your-key>", "YOUR_API_KEY", "your-api-key-here", "${API_KEY}", "{{ token }}",
     "$TOKEN", "%(password)s", "{}", "[API KEY]", "__TOKEN__", "sk-xxxxxxxxxxxxxxxxxxxxxxxx",
     "insert_token", "my-secret-password", "REDACTED", "dummy-token-123", "none", "password",
     "1234567890", "aaaaaaaaaaaa", "Bearer <token>", "TODO"],
)  # fmt: skip
def test_is_placeholder(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value",
    [GITHUB, AWS_ID, "Tr0ub4dor&3", "hunter2hunter2", "ea716822e22841705047870ad856a920",
     "q7Lr2Vx9Kd4Wm8Zp3Tn6Bs1Hc5Jf0Ge", "admin", "S3cr3t!pass"],
)  # fmt: skip
def test_is_not_placeholder(value: str) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("${DB_PASSWORD}", True), ("{{ secrets.TOKEN }}", True), ("<password>", True),
     ("$HOME", True), ("%s", True), ("{}", True), ("{password}", True), ("p@ss{}word", False),
     ("Tr0ub4dor&3", False), ("a<b", False)],
)  # fmt: skip
def test_is_templated(value: str, expected: bool) -> None:
    assert is_templated(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("AKIAIOSFODNN7EXAMPLE", True), ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", True),
     ("sk_test_4eC39HqLyjWDarjtT1zdp7dc", True), ("my-example-token", True),
     (AWS_ID, False), (GITHUB, False)],
)  # fmt: skip
def test_is_example_key(value: str, expected: bool) -> None:
    assert is_example_key(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1234567890", True), ("12345678", True), ("ABCDEFGH", True), ("abcd-efgh", True),
     ("qwertyuiop", True), ("9876543210", True), ("123", False), ("abc123xyz", False),
     ("ghp_1234567890abcdefghijklmnopqrstuvwxyz", False), ("hunter22", False)],
)  # fmt: skip
def test_is_sequential(value: str, expected: bool) -> None:
    assert is_sequential(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("d41d8cd98f00b204e9800998ecf8427e", True),  # md5
     ("da39a3ee5e6b4b0d3255bfef95601890afd80709", True),  # sha1
     ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", True),  # sha256
     ("D41D8CD98F00B204E9800998ECF8427E", True), ("d41d8cd98f00b204", False),
     ("d41d8cd98f00b204e9800998ecf8427g", False), ("D41d8cd98f00b204e9800998ecf8427e", False)],
)  # fmt: skip
def test_is_hash(value: str, expected: bool) -> None:
    assert is_hash(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3f2b8c1e-9d4a-4e6b-8c2f-1a7d9e0b5c3a", True), ("{3F2B8C1E-9D4A-4E6B-8C2F-1A7D9E0B5C3A}", True),
     ("3f2b8c1e9d4a4e6b8c2f1a7d9e0b5c3a", False), ("3f2b8c1e-9d4a-4e6b-8c2f-1a7d9e0b5c3", False)],
)  # fmt: skip
def test_is_uuid(value: str, expected: bool) -> None:
    assert is_uuid(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("9fceb02d0ae598e95dc970b74767f19372d61af8", True), ("9fceb02", True), ("9fceb0", False),
     ("9FCEB02D0AE598E9", False), ("9fceb02z", False)],
)  # fmt: skip
def test_is_commit_id(value: str, expected: bool) -> None:
    assert is_commit_id(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("OPENAI_API_KEY", True), ("AWS_SECRET_ACCESS_KEY", True), ("TOKEN", False),
     ("Tr0ub_4dor", False), ("api_key", False)],
)  # fmt: skip
def test_is_env_var_name(value: str, expected: bool) -> None:
    assert is_env_var_name(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("/run/secrets/db", True), ("./creds.json", True), ("~/.aws/credentials", True),
     ("C:\\keys\\id_rsa", True), ("service-account.json", True), ("id_rsa.pem", True),
     ("https://vault.internal/v1", True), ("Tr0ub4dor&3", False), ("a/b+c/d9Kx2", False)],
)  # fmt: skip
def test_is_path_like(value: str, expected: bool) -> None:
    assert is_path_like(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("species", True), ("my.module", True), ("Bearer", True), ("pad-token", True),
     ("secret123", False), (GITHUB, False)],
)  # fmt: skip
def test_is_wordy(value: str, expected: bool) -> None:
    assert is_wordy(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("S3ModelArtifacts", True), ("bert-base-uncased", True), ("Invocation5XXErrors", True),
     ("weather_2012", True), (GITHUB, False), ("a8Kd93jfL20dkQ7z", False),
     ("ea716822e22841705047870ad856a920", False), ("6dj0xqU+PUv/61lLWv6lCNKNK+3DOLqbUQUW4Di6", False)],
)  # fmt: skip
def test_is_identifier_like(value: str, expected: bool) -> None:
    assert is_identifier_like(value) is expected


def test_shannon_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == pytest.approx(2.0)
    assert shannon_entropy(GITHUB) > 4.0


# -- names ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "kind"),
    [("password", "password"), ("DB_PASSWORD", "password"), ("passwd", "password"),
     ("pwd", "password"), ("db_pass", "password"), ("userPass", "password"),
     ("secret", "secret"), ("client_secret", "secret"), ("credentials", "secret"),
     ("api_key", "key"), ("apiKey", "key"), ("APIKEY", "key"), ("x-api-key", "key"),
     ("OPENAI_KEY", "key"), ("aws_secret_access_key", "key"), ("SECRET_KEY", "key"),
     ("Ocp-Apim-Subscription-Key", "key"), ("private_key", "key"), ("token", "token"),
     ("hf_token", "token"), ("access_token", "token"), ("GITHUB_TOKEN", "token"),
     ("authToken", "token"), ("Authorization", "auth"), ("bearer", "auth")],
)  # fmt: skip
def test_credential_names(name: str, kind: str) -> None:
    cred = credential_name(name)
    assert cred is not None
    assert cred.kind == kind


@pytest.mark.parametrize(
    "name",
    ["max_tokens", "num_tokens", "tokens", "tokenizer", "pad_token", "eos_token", "oov_token",
     "token_col", "token_type_ids", "password_field", "password_hash", "hashed_password",
     "secret_name", "secret_arn", "api_key_env", "key", "sort_key", "s3_key", "primary_key",
     "keys", "author", "authority", "auth_url", "passenger", "bypass", "first_pass",
     "access_key_id", "aws_access_key_id", "private_key_id", "token_url", "credentials_file",
     "publishable_key", "monkey", "keyword"],
)  # fmt: skip
def test_not_credential_names(name: str) -> None:
    assert credential_name(name) is None


def test_name_strength() -> None:
    assert credential_name("api_key").strong
    assert credential_name("hf_token").strong
    assert not credential_name("token").strong
    assert not credential_name("credentials").strong


def test_words_and_env_names() -> None:
    assert words_of("xApiKey") == ["x", "api", "key"]
    assert words_of("AWS_SECRET_ACCESS_KEY") == ["aws", "secret", "access", "key"]
    assert env_name("openai.api_key") == "OPENAI_API_KEY"
    assert env_name("apiKey") == "API_KEY"
    assert env_name("X-API-Key") == "X_API_KEY"


# -- values ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "cred", "expected"),
    [("Tr0ub4dor&3", PASSWORD, "Tr0ub4dor&3"), ("admin", PASSWORD, "admin"),
     ("12345678", PASSWORD, "12345678"), ("12345678", WEAK_TOKEN, None),
     ("abc", PASSWORD, None), ("Enter your password", PASSWORD, None),
     ("DB_PASSWORD", PASSWORD, None), ("/run/secrets/pw", PASSWORD, None),
     ("Bearer 3kD9sLq2ZxWv7Nc1Bt8YhR3m", CredentialName("auth", True), "3kD9sLq2ZxWv7Nc1Bt8YhR3m"),
     ("ea716822e22841705047870ad856a920", STRONG_KEY, "ea716822e22841705047870ad856a920"),
     ("ea716822e22841705047870ad856a920", WEAK_TOKEN, None),
     ("9fceb02d0ae598e95dc970b74767f19372d61af8", WEAK_TOKEN, None),
     ("3f2b8c1e-9d4a-4e6b-8c2f-1a7d9e0b5c3a", STRONG_KEY, None),
     ("species", STRONG_KEY, None), ("a1b2c3", STRONG_KEY, None), ("12345678901234", WEAK_TOKEN, None),
     ("aaaaaaaa1", STRONG_KEY, None), ("OPENAI_API_KEY", STRONG_KEY, None),
     ("<your-key>", STRONG_KEY, None), ("a8Kd93jfL20dkQ7z", WEAK_TOKEN, "a8Kd93jfL20dkQ7z"),
     ("xgb-model-2.tar.gz", STRONG_KEY, None), ("ml.m5.large", STRONG_KEY, None),
     ("2015-08-17", STRONG_KEY, None), ("rob@gmail.com", STRONG_KEY, None),
     ("max_depth=2", STRONG_KEY, None), ("(?:a1|b2)+x9", STRONG_KEY, None),
     ("S3ModelArtifacts", STRONG_KEY, None), ("YWxhZGRpbjpvcGVuc2VzYW1l==", STRONG_KEY,
      "YWxhZGRpbjpvcGVuc2VzYW1l==")],
)  # fmt: skip
def test_literal_secret(value: str, cred: CredentialName, expected: str | None) -> None:
    assert literal_secret(value, cred) == expected


# -- scanners -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [(f"key={AWS_ID}", ["aws-access-key-id"]), ("ghp_4OOF8Q2YHt44hHZWny", []), (f"x{GITHUB}", []),
     ("AKIAIOSFODNN7EXAMPLE", []), ("sk-learn-and-more", []),
     ("aws_secret_access_key: 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", ["aws-secret-access-key"]),
     ("6dj0xqU+PUv/61lLWv6lCNKNK+3DOLqbUQUW4Di6", []),
     ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAB\n",
      ["private-key"]),
     ("Keep -----BEGIN PRIVATE KEY----- files out of git", [])],
)  # fmt: skip
def test_scan_provider_formats(text: str, expected: list[str]) -> None:
    assert ids(text) == expected


def test_in_base64_blob() -> None:
    blob = base64.b64encode(bytes(range(256)) * 2).decode()
    assert in_base64_blob(f"![x](data:image/png;base64,{blob}AAAA)", 40)
    assert in_base64_blob(blob + GITHUB, len(blob))
    assert not in_base64_blob(f"token = {GITHUB}", 8)
    zeros = "A" * 22 + "B3x9" * 10  # zero bytes, then data: shaped like a Twitter token
    assert ids(f"data:image/png;base64,{zeros}") == []
    assert ids(f"x = '{zeros}'") == ["twitter-bearer-token"]


# One fake sample per format in rules/secrets.toml: a new format needs one here.
SAMPLES = {
    "aws-access-key-id": AWS_ID,
    "aws-secret-access-key": "aws_secret_access_key = 6dj0xqU+PUv/61lLWv6lCNKNK+3DOLqbUQUW4Di6",
    "azure-storage-key": "AccountKey=bq5Sh89Do6FNaBYJnqMVKDdjz0fjjwpFsAJzBoTAcxcaRN//cyCWbk7nKl==",
    "azure-sas-token": "?sv=2022-11-02&ss=b&sp=rl&se=2025-01-01&sig=Hbn88HxjSI6bWHtP3fS2qHx6kwXoIIXGvOoNZYW2mZ%3D",
    "google-api-key": "AIzaWwb0R1-IFMuZeVx5AzjjY4jAcaaJb8cnBwt",
    "google-oauth-client-secret": "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",
    "databricks-token": "dapi8c0bc99603ea3ede051baea5436113ab",
    "private-key": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5ZJsl2Vz9m0a5oAoGCCqGSM49\n",
    "github-token": GITHUB,
    "github-fine-grained-token": "github_pat_zIiEMImdEEfwHeOwkCcvSl_IvFlUdndGHWOPyBcurfU9Mb1cFWpz",
    "gitlab-token": "glpat-CIejClCv1EHVP_hZvsJA",
    "npm-token": "npm_NZEvGSTazfn68qPud6IB9jr4gVlGvGEmvdBR",
    "pypi-token": "pypi-AgEIcHlwaS5vcmc7Tvo-hBKqFYY-kv5ZJr3J1TWDtkwtDDb_xHKas1VOqg6YYZYn9ZhyiA",
    "anthropic-api-key": "sk-ant-api03-8okNsuOB2xAKFXeyaUfPvAuvmoj9HgyYvMPkdul8Aqqvhy5eNQ_ryg6mSQ",
    "openai-api-key": "sk-proj-Gtw-T_b6Yf1eCYp_ZxYCZ0itrMAwZk-77L7ITbHtMCNaY0q4",
    "huggingface-token": "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",
    "replicate-token": "r8_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dK",
    "groq-api-key": "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",
    "slack-token": "xoxb-0274912781-6966905213980-hFsDRvntqxLX7Zbv2LaeoGLM",
    "slack-webhook": "https://hooks.slack.com/services/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",
    "discord-webhook": "https://discord.com/api/webhooks/944951368697535619/fFrjKvMwwyAZR7ZsruG9xwMMTBtjwrdxoOjvG5EQFQJ",
    "telegram-bot-token": "5731739572:AAtZ5WqdZrukTMalZrLfAlf_07b_cGc4HnD",
    "stripe-secret-key": "sk_live_tBk8MmWkC8tq0kGeonVnMFMD",
    "sendgrid-api-key": "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",
    "twilio-api-key": "SKf39f72c57e0bad43956ef598270b3243",
    "mailgun-api-key": "key-yeyuq8gas54bnonjtllb031rgfii03c1",
    "shopify-token": "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",
    "twitter-bearer-token": "AAAAAAAAAAAAAAAAAAAAAAp0zVZomHFwUbbYrEqmSM9wCZ7Uw9%xfogoEmvnEN",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiAic3ZjLWV0bCJ9.eFsrAOk0StWMsyHrAZQ7JWKG4XCarS3u",
}


def test_every_format_has_a_sample() -> None:
    assert sorted(SAMPLES) == sorted(p.id for p in CAT.patterns)
    assert len({p.id for p in CAT.patterns}) == len(CAT.patterns)
    assert all(p.keywords and p.env and p.provider for p in CAT.patterns)


@pytest.mark.parametrize("pattern_id", sorted(SAMPLES))
def test_each_format_finds_its_sample(pattern_id: str) -> None:
    text = f"x = {SAMPLES[pattern_id]} # end"
    assert ids(text) == [pattern_id]
    assert ids(text.replace(SAMPLES[pattern_id], "<redacted>")) == []


def test_scan_provider_formats_reports_secret_and_span() -> None:
    text = f"token: {GITHUB} end"
    (m,) = scan_provider_formats(text, CAT)
    assert (m.secret, m.start, m.end, m.env) == (GITHUB, 7, 7 + len(GITHUB), "GITHUB_TOKEN")


def test_keyword_candidates_filter_patterns() -> None:
    assert [p.id for p in CAT.candidates("nothing to see")] == []
    assert "github-token" in [p.id for p in CAT.candidates(f"x {GITHUB}")]
    narrowed = CAT.restricted("only ghp_ here")
    assert [p.id for p in narrowed.candidates("ghp_ and AKIA")] == ["github-token"]


def test_keywords_in_finds_overlapping_and_nested_keywords() -> None:
    keywords = ("sk-", "sk-ant-", "ant", ":AA", "AAAA", "", "a.b")
    assert keywords_in("x sk-ant-1 :AAAA", keywords) == {"sk-", "sk-ant-", "ant", ":AA", "AAAA", ""}
    assert keywords_in("aXb", keywords) == {""}  # "." is not a wildcard
    assert keywords_in("", ("a",)) == set()


@given(
    st.text(alphabet="ab-_.:", max_size=40),
    st.lists(st.text(alphabet="ab-_.:", max_size=4), max_size=8),
)
def test_keywords_in_agrees_with_substring_tests(text: str, keywords: list[str]) -> None:
    unique = tuple(dict.fromkeys(keywords))
    assert keywords_in(text, unique) == {k for k in unique if k in text}


@given(st.text(alphabet="AKIghp_sk-ant:Secr \n", max_size=60))
def test_restricted_keeps_exactly_the_keywords_in_the_text(text: str) -> None:
    assert set(CAT.restricted(text).by_keyword) == {k for k in CAT.by_keyword if k in text}


@pytest.mark.parametrize(
    ("text", "secret"),
    [("postgresql://etl:S3cr3tPw@db:5432/x", "S3cr3tPw"), ("redis://:Rk93jd8Fh2@cache:6379", "Rk93jd8Fh2"),
     ("https://h/x?access_token=a8Kd93jfL20dkQ7z&x=1", "a8Kd93jfL20dkQ7z"),
     ("postgresql://user:password@h/db", None), ("postgresql://user:<pw>@h/db", None),
     ("mysql://u:${PW}@h/db", None), ("http://host:8080/path@x", None),
     ("ftp://anonymous:me@ftp.org/", None), ("https://h/x?page=2&sort=asc", None),
     ("https://h/x?token={token}", None)],
)  # fmt: skip
def test_scan_urls(text: str, secret: str | None) -> None:
    found = scan_urls(text)
    assert [m.secret for m in found] == ([secret] if secret else [])


@pytest.mark.parametrize(
    ("text", "secret"),
    [("export DB_PASSWORD=Tr0ub4dor3", "Tr0ub4dor3"), ('api_key = "a8Kd93jfL20dkQ7z"', "a8Kd93jfL20dkQ7z"),
     ("password: Tr0ub4dor3", "Tr0ub4dor3"), ("  db_password: Tr0ub4dor3  ", "Tr0ub4dor3"),
     ("password = other_variable", None), ('password = ""', None), ("export TOKEN=$TOKEN", None),
     ("token_count: 512", None), ("password: ${DB_PASSWORD}", None)],
)  # fmt: skip
def test_scan_text_assignments(text: str, secret: str | None) -> None:
    assert [m.secret for m in scan_text_assignments(text)] == ([secret] if secret else [])


def test_output_texts_skip_binary_data() -> None:
    output = {
        "output_type": "display_data",
        "data": {"image/png": "iVBOR", "text/plain": ["a", "b"], "application/json": {"a": 1}},
    }
    assert list(output_texts(output)) == [("text/plain", "ab")]
    stream = {"output_type": "stream", "name": "stderr", "text": ["x\n", "y"]}
    assert list(output_texts(stream)) == [("stderr", "x\ny")]


# -- masking and redaction ------------------------------------------------------------------
def test_mask_format() -> None:
    assert mask(AWS_ID) == "AKIA…(20 chars)"
    assert mask("Tr0ub4dor&3") == "Tr0…(11 chars)"
    assert mask("abc") == "a…(3 chars)"
    assert "chars" not in mask("chars")


def test_redact_masks_verbatim_and_escaped_secrets() -> None:
    m = TextMatch("t", "T", AWS_ID, 0, 20)
    assert redact(f'k = "{AWS_ID}"', [m]) == 'k = "AKIA…(20 chars)"'
    escaped = 'k = "AKIA\\x46QNGIQ6I54K4Y3ML"'  # the source spells it with an escape
    assert redact(escaped, [m], span=(4, len(escaped)), literal=True) == 'k = "AKIA…(20 chars)"'
    url = TextMatch("u", "U", "pass", 0, 4, needle=":pass@")
    assert redact("x = 'pg://user:pass@h/passes'", [url]) == "x = 'pg://user:p…(4 chars)@h/passes'"


# -- properties -----------------------------------------------------------------------------
TOKEN_CHARS = string.ascii_letters + string.digits + "_-+/=!@#$%^&*"


@given(st.text(alphabet=TOKEN_CHARS, min_size=1, max_size=120))
def test_mask_never_contains_the_secret(secret: str) -> None:
    masked = mask(secret)
    assert secret not in masked
    assert f"({len(secret)} chars)" in masked or masked == "…"


@given(st.text(alphabet=TOKEN_CHARS, min_size=6, max_size=80), st.text(max_size=40))
def test_redacted_line_never_contains_the_secret(secret: str, prefix: str) -> None:
    line = f"{prefix}{secret} tail"
    m = TextMatch("t", "T", secret, len(prefix), len(prefix) + len(secret))
    assert secret not in redact(line, [m], span=(len(prefix), len(prefix) + len(secret)))


@given(st.binary(min_size=64, max_size=4096))
def test_base64_image_outputs_are_never_flagged(data: bytes) -> None:
    encoded = base64.b64encode(b"\x89PNG\r\n\x1a\n" + data).decode()
    output = {
        "output_type": "display_data",
        "data": {"image/png": encoded, "text/plain": "<Figure>"},
    }
    texts = [text for _, text in output_texts(output)]
    assert texts == ["<Figure>"]
    # and even read as text, random base64 holds no provider format
    assert ids(encoded) == []


@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=36, max_size=36))
def test_any_github_shaped_token_is_found_unless_a_placeholder(body: str) -> None:
    token = f"ghp_{body}"
    assert ids(f"t = '{token}'") == ([] if is_placeholder(token) else ["github-token"])
