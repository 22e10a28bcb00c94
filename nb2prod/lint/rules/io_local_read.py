"""IO001: reading a local file (pandas, open, numpy, pickles, images, models ...)."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.io import READ
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule
from nb2prod.lint.rules.io_common import local_file_findings


class LocalFileRead(Rule):
    """## What it does
    Flags reads of local files: `pd.read_csv("data/train.csv")` and the other pandas,
    polars, dask and geopandas readers, `open(...)`, `np.load`, `joblib.load`, `torch.load`,
    `Image.open`, `cv2.imread`, `h5py.File`, `sqlite3.connect`, `load_model`,
    `Path(...).read_text()` ... The path is followed through earlier cells: a path built
    from a constant with `+`, an f-string, `os.path.join`, `str.format` or `Path / "x"` is
    still local, and so is a path a notebook function returns (`data_dir() / "x.csv"`) or
    one passed to a notebook function that opens it (`load("data/x.csv")`, reported at the
    call). ML libraries too: transformers (`from_pretrained("./model")`; a hub id such as
    `bert-base-uncased` is not local), datasets (`load_dataset("csv", data_files=...)`,
    `load_from_disk`), xgboost/lightgbm/catboost `load_model`, keras `load_model`, fastai
    `untar_data`. Paths from the environment, configuration, function parameters, `tempfile`,
    in-memory buffers and remote URIs (`s3://`, `https://`) are not flagged.

    ## Why is this bad?
    The file exists on the author's laptop only. In production the job runs in a container
    with no such file, and data must come from the team's object store, where it is
    versioned and access-controlled.

    ## Example
    ```python
    DATA_DIR = "data/"
    df = pd.read_csv(DATA_DIR + "churn.csv")
    ```

    ## Use instead
    ```python
    DATA_URI = os.environ.get("DATA_URI", "s3://acme-data/churn")
    df = pd.read_csv(f"{DATA_URI}/churn.csv")
    ```
    """

    code = "IO001"
    name = "local-file-read"
    fixable = True
    message = "Local file read; read it from S3 (an fsspec URI) or from configuration"

    def check(self, an: Analysis) -> Iterator[Finding]:
        return local_file_findings(
            self, an, READ, "Local file read", "read it from {target} or from configuration"
        )
