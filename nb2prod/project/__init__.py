"""One plan of the generated project, made from one reading and one analysis of the notebook.

``convert``, ``convert --service`` and ``scaffold`` are three ways to ask for a plan:

1. :mod:`.source` reads the notebook file once (and applies ``--fix`` in memory);
2. :mod:`.package` plans and renders the package (steps, settings, pipeline, tests);
3. :mod:`.service` adds the model service when asked (train, FastAPI app, Dockerfile ...);
4. :mod:`.plan` ties them into a :class:`~nb2prod.project.plan.ProjectPlan`: every file of
   the project, rendered once.

The callers write the files: ``convert`` a new folder atomically
(:func:`nb2prod.convert.writer.write_tree`), ``scaffold`` into the existing project
(:func:`nb2prod.scaffold.write.write_files`).
"""
