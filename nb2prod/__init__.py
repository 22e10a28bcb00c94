"""nb2prod: carry Jupyter notebooks into production."""

__version__ = "0.2.0"
