# codes: IO004
# %%
import os

# ruleid: IO004
os.chdir("/home/ana/project")
# ruleid: IO004
os.chdir(os.environ["WORKDIR"])
# ruleid: IO004
%cd ..
# ok: IO004
here = os.getcwd()
# ok: IO004
text = "%cd in a string"

# %%
# ruleid: IO004
cd data
# ok: IO004
!cd data && ls
for d in ["a", "b"]:
    # ruleid: IO004
    os.chdir(d)
