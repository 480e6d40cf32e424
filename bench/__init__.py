"""Benchmarks (``make bench``): each target of docs/performance.md against a same-run baseline.

Not tests: nothing here asserts a time. ``python -m bench`` runs every module listed in
``bench.harness.TARGET_MODULES`` (or ``--only T3,T4``), each returning ``Result`` objects, and
writes ``bench/results/latest.json`` plus ``latest.md``. ``--smoke`` runs tiny sizes so CI can
prove the harness works without measuring anything.
"""
