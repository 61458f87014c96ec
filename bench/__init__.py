"""Benchmarks of Xiuhua against the raw broker and database on the same machine.

`python -m bench` runs them all and writes bench/results/latest.json and latest.md.
"""
