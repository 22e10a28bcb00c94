# %%
%matplotlib inline
%load_ext autoreload
!pip install -q requests==2.31.0 "tqdm>=4"
import requests

# %%
%time total = sum(range(10))
!ls -la
print(total)

# %%
%%time
again = total * 2
print(again)
