"""The strategy lab: replay a labeled data set through the real loop with an oracle annotator.

Each (strategy, seed) run is a real project in a temporary folder: the pool is imported through
``Project.import_file``, the held-out split is imported as gold (so every trained version records
its metric on it), the oracle answers ``Project.claim`` with ``Project.submit``, and
``Project.train(wait=True)`` trains, promotes and re-scores exactly as for people.
Tasks plug in through ``activelabel.simulation.tasks``.
"""
