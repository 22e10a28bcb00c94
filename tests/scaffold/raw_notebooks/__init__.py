"""Notebooks whose models take the notebook's own feature code on raw records (issue 12):
one generator per kind (pandas features, imputation and binning, text, a scikit-learn
Pipeline), each writing the notebook and the deterministic data it reads by relative path."""
