"""SEC002: a credential-named variable, keyword, dict key or item bound to a literal."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.secrets import ASSIGNMENT, CODE, COMMENT, MAGIC, PROVIDER
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule
from nb2prod.lint.rules.sec_common import read_from_env, secret_finding


class CredentialAssignment(Rule):
    """## What it does
    Flags literals bound to names that hold credentials: variables and attributes
    (`password = "..."`, `openai.api_key = "..."`), keyword arguments
    (`connect(password="...")`, `boto3.client(..., aws_session_token="...")`), dict keys
    (`{"client_secret": "..."}`), items (`config["token"] = "..."`,
    `os.environ["DB_PASSWORD"] = "..."`), defaults of environment lookups
    (`os.getenv("API_TOKEN", "...")`), values given to key/value setters
    (`.option("password", "...")`, `spark.conf.set("fs.azure.account.key...", "...")`,
    `os.putenv(...)`, listed in `rules/secrets.toml`), parameter defaults, comparisons,
    basic-auth pairs (`auth=("user", "...")`, `HTTPBasicAuth(...)`, `server.login(user,
    "...")`), and `%env` / `export NAME=...` lines, in cells or inside strings; positional
    arguments of known clients (`Client(account_sid, "...")`, `Minio(host, "...", "...")`,
    listed in `rules/secrets.toml`), shell lines (`!curl -u user:...`, `-H "Authorization:
    Bearer ..."`, `--password ...`, a credential name then its value: `!aws configure set
    aws_secret_access_key ...`), credential dicts written to files (`kaggle.json`), and
    secrets split by `+` or built in f-strings from constants; and credentials written in
    comments (`# api key: ...`, `# password = ...`, `# the token is ...`). A constant
    reported where it is assigned is not reported again where an f-string or `+` uses it
    (`f"token {GITHUB_TOKEN}"`). Names are read word by word: `api_key`, `db_pass`, `hf_token`,
    `Authorization` count; `max_tokens`, `tokenizer`, `pad_token`, `password_field`,
    `secret_name`, `sort_key` do not. Values that are placeholders (`"<your-key>"`,
    `"changeme"`, `"${TOKEN}"`), paths, env var names, UUIDs, plain words or too short or
    too regular to be keys are not reported. A provider token bound to such a name is
    reported once, by SEC001 (which names the provider), unless SEC001 is turned off.

    ## Why is this bad?
    The credential is in the notebook, its outputs' history and every copy of it, and
    whoever runs the code in production uses the data scientist's own account.

    ## Example
    ```python
    conn = psycopg2.connect(host="db.internal", user="etl", password="Tr0ub4dor&3")
    ```

    ## Use instead
    ```python
    conn = psycopg2.connect(host="db.internal", user="etl", password=os.environ["PASSWORD"])
    ```
    """

    code = "SEC002"
    name = "credential-assignment"
    fixable = True
    message = "Credential bound to a literal; read it from the environment"

    def check(self, an: Analysis) -> Iterator[Finding]:
        # A provider token bound to a credential name is one problem: SEC001 reports it
        # (it names the provider), unless SEC001 is off for this notebook.
        tokens = set()
        if an.settings.is_enabled("SEC001", an.nb.path):
            tokens = {
                (id(h.cell), h.line, h.masked)
                for h in an.secrets
                if h.kind == PROVIDER and h.where in (CODE, MAGIC)
            }
        for hit in an.secrets:
            if (id(hit.cell), hit.line, hit.masked) in tokens:
                continue
            if hit.kind == ASSIGNMENT and hit.where in (CODE, COMMENT, MAGIC):
                where = " in a comment" if hit.where == COMMENT else ""
                message = f"Hard-coded {hit.label} ({hit.masked}){where}; " + read_from_env(hit.env)
                yield secret_finding(self, an, hit, message)
