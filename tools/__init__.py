"""Build-time tooling (``make data``): downloads, subprocesses and file generation.

Nothing here runs with the dashboard; ``geo/`` and ``layers/`` never import it.
"""
