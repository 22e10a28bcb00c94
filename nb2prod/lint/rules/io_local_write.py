"""IO002: writing a local file (to_csv, savefig, np.save, joblib.dump, open(..., "w") ...)."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.io import WRITE
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule
from nb2prod.lint.rules.io_common import local_file_findings


class LocalFileWrite(Rule):
    """## What it does
    Flags writes to local files: `df.to_csv("out.csv")` and the other `to_*` writers,
    `open(path, "w")`, `np.save`, `joblib.dump`, `torch.save`, `plt.savefig` /
    `fig.savefig`, `cv2.imwrite`, `model.save("model.h5")`, `Path(...).write_text()` ...
    when the path is known to be local (followed through earlier cells, as for IO001).
    `df.to_csv()` without a path, in-memory buffers, `tempfile` and remote URIs are fine.

    ## Why is this bad?
    Whatever the job writes to its container's disk is lost when the container stops, and
    nobody downstream can find it. Results, models and figures belong in the object store.

    ## Example
    ```python
    df.to_csv("results/predictions.csv", index=False)
    joblib.dump(model, "model.joblib")
    ```

    ## Use instead
    ```python
    OUT = os.environ["OUTPUT_URI"]  # e.g. s3://acme-data/churn/out
    df.to_csv(f"{OUT}/predictions.csv", index=False)
    with fsspec.open(f"{OUT}/model.joblib", "wb") as f:
        joblib.dump(model, f)
    ```
    """

    code = "IO002"
    name = "local-file-write"
    fixable = True
    message = "Local file write; write it to S3 (an fsspec URI) or to a configured path"

    def check(self, an: Analysis) -> Iterator[Finding]:
        return local_file_findings(
            self,
            an,
            WRITE,
            "Local file write",
            "write it to {target} or to a path from configuration",
        )
