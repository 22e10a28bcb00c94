"""SEC001: a provider's token format in a code cell."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.secrets import CODE, COMMENT, MAGIC, PROVIDER
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule
from nb2prod.lint.rules.sec_common import read_from_env, secret_finding

_WHERE = {CODE: "", COMMENT: " in a comment", MAGIC: " in a shell or magic line"}


class ProviderToken(Rule):
    """## What it does
    Flags string literals (f-string parts and `os.getenv` defaults too), comments and
    shell lines of code cells holding a secret in a known provider format: AWS access key
    ids (`AKIA...`) and secret keys bound to an AWS secret name, GitHub, GitLab, npm, PyPI,
    Slack, Stripe live, Google, OpenAI, Anthropic, Hugging Face, SendGrid, Twilio, Mailgun,
    Telegram, Databricks tokens, Slack and Discord webhooks, Azure storage keys and SAS
    signatures, JSON web tokens and PEM private keys. Providers' documented example keys
    and placeholders (`sk-xxxx`, `<your-key>`) are not reported. Formats live in
    `rules/secrets.toml`; add your own with the `extra-secret-patterns` setting.

    ## Why is this bad?
    Whoever can read the notebook, its git history or a copy of it can use the key. A
    secret pushed once must be rotated. Production code gets secrets from the environment
    or a secret manager, never from its source.

    ## Example
    ```python
    client = OpenAI(api_key=os.getenv("OPENAI_API_KEY", "sk-proj-3kd9..."))
    ```

    ## Use instead
    ```python
    client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
    ```
    """

    code = "SEC001"
    name = "provider-token-in-code"
    fixable = True
    message = "Hard-coded provider token; read it from the environment and rotate it"

    def check(self, an: Analysis) -> Iterator[Finding]:
        for hit in an.secrets:
            if hit.kind == PROVIDER and hit.where in _WHERE:
                message = (
                    f"Hard-coded {hit.label} ({hit.masked}){_WHERE[hit.where]}; "
                    + read_from_env(hit.env)
                )
                yield secret_finding(self, an, hit, message)
