# codes: NB001
# %%
# ruleid: NB001
!pip install xgboost==2.1.1
# ruleid: NB001
%pip install -q lightgbm
# ruleid: NB001
!{sys.executable} -m pip install shap
# ok: NB001
!pip list

# %%
import sys
# ruleid: NB001
!conda install -y -c conda-forge prophet
# ruleid: NB001
pip install seaborn
# ok: NB001
x = "!pip install inside a string"

# %%
for pkg in ["a", "b"]:
    # ruleid: NB001
    !pip install {pkg}
# ok: NB001
!ls -la
