"""`python -m userville.train`: the trainer a UserVille training job runs.

- `context`: the job's context (Ray env vars → job-scoped key, payload, signed events) or a local run's;
- `tabular`: the default backend, a softmax policy over interaction strategies trained with GRPO on real sessions;
- `verl_backend`: launches verl's PPO/GRPO trainer with the UserVille agent loop and relays its metrics;
- `grpo`: group advantages as verl 0.7.0 computes them; `strategies`: the questions and predictions.
"""

from .grpo import group_advantages

__all__ = ["group_advantages"]
