"""Benchmarks: python -m cnncourse.bench {ops,grading,training,all}."""
