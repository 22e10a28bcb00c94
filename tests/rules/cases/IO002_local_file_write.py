# codes: IO002
# %%
import io
import os
import pickle
import sys
import tempfile
from pathlib import Path

import cv2
import h5py
import joblib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

FIG_DIR = "figures"
OUT = os.path.join("results", "run1")
log_path = "logs/run.log"

# %%
# ruleid: IO002
df.to_csv("predictions.csv", index=False)
out_file = os.path.join(OUT, "preds.parquet")
# ruleid: IO002
df.to_parquet(out_file)
# ruleid: IO002
with open("out.txt", "w") as f:
    f.write("done")
# ruleid: IO002
np.save("arr.npy", arr)
# ruleid: IO002
joblib.dump(model, "model.joblib")
# ruleid: IO002
plt.savefig("fig.png")
fig, ax = plt.subplots()
# ruleid: IO002
fig.savefig(f"{FIG_DIR}/loss.png", dpi=150)
# ruleid: IO002
pickle.dump(model, open("model.pkl", "wb"))
# ruleid: IO002
torch.save(net.state_dict(), "weights.pt")
# ruleid: IO002
model.save("model.h5")
# ruleid: IO002
Path("report.md").write_text(report)
# ruleid: IO002
with pd.ExcelWriter("report.xlsx") as writer:
    # ok: IO002
    df.to_excel(writer, sheet_name="summary")
# ruleid: IO002
cv2.imwrite("edges.png", edges)
# ruleid: IO002
h5 = h5py.File("features.h5", "w")
# ruleid: IO002
log = open(log_path, "a")
# ruleid: IO002
np.savetxt(Path(OUT) / "matrix.txt", matrix)
for epoch in range(3):
    # ruleid: IO002
    plt.savefig(f"{FIG_DIR}/epoch_{epoch}.png")

# %%
# ok: IO002
csv_text = df.to_csv()
# ok: IO002
df.to_csv(sys.stdout)
# ok: IO002
df.to_csv("s3://acme-data/out/preds.csv")
# ok: IO002
df.to_csv(os.environ["OUT"] + "/preds.csv")
buf = io.BytesIO()
# ok: IO002
np.save(buf, arr)
with tempfile.NamedTemporaryFile() as tmp:
    # ok: IO002
    df.to_csv(tmp.name)
# ok: IO002
reader = open("data.csv")
# ok: IO002
digits = s.str.extractall(r"(\d+)")
# ok: IO002
learn.save("stage-1")
# ok: IO002
model.save(model_dir)
# ok: IO002
text = df.to_string()
# ok: IO002
cleaned = log_path.replace("logs", "archive")


def save(frame, path):
    # ok: IO002
    frame.to_csv(path)
