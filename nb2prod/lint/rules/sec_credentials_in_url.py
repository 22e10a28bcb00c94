"""SEC003: a password or credential parameter inside a URL in a code cell."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.secrets import CODE, COMMENT, MAGIC, URL
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule
from nb2prod.lint.rules.sec_common import secret_finding


class CredentialsInUrl(Rule):
    """## What it does
    Flags URLs in code cells that carry a password (`postgresql://user:pw@host/db`,
    `mongodb+srv://user:pw@cluster/...`, `https://user:pw@host`), a credential query
    parameter (`?api_key=...`, `&access_token=...`), a JDBC URL property
    (`jdbc:sqlserver://host:1433;user=sa;password=...`) or a password in a connection string
    (`"host=db user=etl password=..."`, ODBC `"...;UID=sa;PWD=...;"`). Placeholders (`user:<password>@`,
    `:${DB_PASSWORD}@`, `:****@`) and values filled in by f-strings or `.format` are not
    reported.

    ## Why is this bad?
    Connection strings get logged, printed and pasted; the password in them goes along
    and ends up in the notebook's history.

    ## Example
    ```python
    engine = create_engine("postgresql://etl:Tr0ub4dor3@db.internal:5432/sales")
    ```

    ## Use instead
    ```python
    engine = create_engine(os.environ["DATABASE_URL"])
    ```
    """

    code = "SEC003"
    name = "credentials-in-url"
    message = "Credentials inside a URL; read the URL or the password from the environment"

    def check(self, an: Analysis) -> Iterator[Finding]:
        for hit in an.secrets:
            if hit.kind == URL and hit.where in (CODE, COMMENT, MAGIC):
                message = (
                    f"Hard-coded {hit.label} ({hit.masked}); read the URL or its password "
                    f'from the environment (os.environ["{hit.env}"]) and rotate it'
                )
                yield secret_finding(self, an, hit, message)
