# codes: SEC003
# Credentials in URL paths, after a segment named for them. All values are made up.
# %%
import os

import requests

# ruleid: SEC003
requests.post("https://maker.ifttt.com/trigger/training_done/with/key/dR4kZ9wQ2xLm7Np3Vb6Tc")
# ruleid: SEC003
FEED = "https://feeds.example.com/api/token/Yq7Wm2Xz9Lp4Rt6Vb8Nc3Kd/latest.json"
# ruleid: SEC003
!curl https://maker.ifttt.com/trigger/done/with/key/dR4kZ9wQ2xLm7Np3Vb6Tc
IFTTT_KEY = os.environ["IFTTT_KEY"]
# ok: SEC003
requests.post(f"https://maker.ifttt.com/trigger/done/with/key/{IFTTT_KEY}")
# ok: SEC003
requests.post("https://maker.ifttt.com/trigger/done/with/key/<your-key>")
# ok: SEC003
requests.post("https://maker.ifttt.com/trigger/done/with/key/{key}")
# ok: SEC003
refresh = requests.post("https://auth.example.com/oauth/token/refresh")
# ok: SEC003
docs = "https://docs.example.com/api/key/rotation-and-expiry"
# ok: SEC003
kv = requests.get("https://consul.internal/v1/kv/key/feature_flags")
