"""nb2prod: carry Jupyter notebooks into production."""

__version__ = "0.1.0"
