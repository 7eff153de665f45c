"""The evaluation harness: `python -m eval` scores the assistant and baselines; `python -m eval bench` times it."""
