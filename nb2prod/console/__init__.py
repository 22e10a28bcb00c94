"""What the commands do at the terminal, behind ``cli.py`` (which only parses options):
``lint`` (files, standard input, ``--fix``, the progress bar), ``rule`` and the results of
``convert`` / ``scaffold``. Each function returns the exit code; bad input raises
:class:`~nb2prod.errors.InputError`, which cli.py prints as one line (exit 2).

Exit codes are an interface: 0 clean, 1 findings, 2 usage or input error.
"""

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
