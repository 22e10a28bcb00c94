# codes: SEC001
# Provider tokens inside URL paths and split into pieces. All tokens are fake.
# %%
import os

import requests

# ruleid: SEC001
requests.post("https://api.telegram.org/bot5731739572:AAtZ5WqdZrukTMalZrLfAlf_07b_cGc4HnD/sendMessage", data={"chat_id": 1})
# ruleid: SEC001
FILE_URL = "https://api.telegram.org/file/bot6011223344:AAGq3nW8rT2yK5vB7xZ1mC4dF6hJ9kL0pQs/photos/x.jpg"
TELEGRAM_TOKEN = os.environ["TELEGRAM_TOKEN"]
# ok: SEC001
requests.post(f"https://api.telegram.org/bot{TELEGRAM_TOKEN}/sendMessage")
# ok: SEC001
requests.post("https://api.telegram.org/bot<your token>/sendMessage")
# ok: SEC001
requests.post("https://api.telegram.org/bot123456789:AAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/getMe")

# %%
# ruleid: SEC001
OPENAI_KEY = "sk-" + "cC1jsDXOwFUQzBsAntCKer6MWMs491eb7XuOaFz0tH2efsaK"
# ruleid: SEC001
gh = "ghp_" + "4OOF8Q2YHt44hHZW" + "nyojttOkdWhywW3FumfK"
KEY_BODY = "x7Tq2LmN9pRs4VwY8zBc3Df6Gh1Jk5"
# ruleid: SEC001
hf = f"hf_{KEY_BODY}Ab"
# ruleid: SEC001
headers = {"Authorization": "Bearer " + "xoxb-0274912781-" + "6966905213980-hFsDRvntqxLX7Zbv2LaeoGLM"}
# ok: SEC001
prefix_only = "sk-" + os.environ["OPENAI_KEY_BODY"]
# ok: SEC001
from_env = f"sk-{os.getenv('OPENAI_KEY_BODY')}"
# ok: SEC001
placeholder = "sk-" + "<your openai key>"
# ok: SEC001
sentence = "scikit-learn " + "sk-learn-estimator-comparison-notebook"
# ok: SEC001
typed = "sk-" + input("the rest of the key: ")
# ok: SEC001
run_name = "sk-" + "learn-" + "baseline-2024-experiment-forty-two"
