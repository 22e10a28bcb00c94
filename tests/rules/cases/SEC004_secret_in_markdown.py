# codes: SEC004
# %% [markdown]
# ## Setup
# ruleid: SEC004
# Use my token ghp_4OOF8Q2YHt44hHZWnyojttOkdWhywW3FumfK to clone the repo.
# ok: SEC004
# Export `GITHUB_TOKEN` before running (ask #data-eng for one).
# ruleid: SEC004
# `export AWS_ACCESS_KEY_ID=AKIAFQNGIQ6I54K4Y3ML`
# ok: SEC004
# The AWS docs use `AKIAIOSFODNN7EXAMPLE` as an example key.

# %% [markdown]
# Connection details:
#
# ```
# ruleid: SEC004
# postgresql://etl:S3cr3tPw@db.internal:5432/sales
# ok: SEC004
# postgresql://user:<password>@db.internal:5432/sales
# ```
# ok: SEC004
# Set `OPENAI_API_KEY="sk-..."` in your shell; never paste the key here.
# ruleid: SEC004
# aws_secret_access_key = 6dj0xqU+PUv/61lLWv6lCNKNK+3DOLqbUQUW4Di6

# %% [markdown]
# ok: SEC004
# ![chart](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==)
# ok: SEC004
# The run id is 3f2b8c1e-9d4a-4e6b-8c2f-1a7d9e0b5c3a, commit 9fceb02d0ae598e95dc970b74767f19372d61af8.

# %%
# Code cells are SEC001's business.
# ok: SEC004
token = "ghp_4OOF8Q2YHt44hHZWnyojttOkdWhywW3FumfK"
