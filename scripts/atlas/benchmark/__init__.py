"""The pieces of the benchmark command (scripts/benchmark_run.py, issue #13): sampling a process
tree and a spill folder, the floor query, the scales, the measured steps and the report."""
