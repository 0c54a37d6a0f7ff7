"""Group-relative advantages, computed the way verl 0.7.0 does it.

Follows `verl/trainer/ppo/core_algos.py::compute_grpo_outcome_advantage` (tag v0.7.0): rewards are grouped by
prompt index; a group of several gets its mean and its *unbiased* std (`torch.std`, n − 1 denominator); a group
of one gets mean 0 and std 1 (so its advantage is its own reward); then `(r − mean) / (std + ε)` with ε = 1e-6,
or `r − mean` when `norm_adv_by_std_in_grpo` is False (Dr. GRPO, arXiv 2503.20783). The same rule as the
service's `src/userville/grpo.ts`, so a trainer and `/v1/score/batch` agree; like it, results are rounded to
1e-9 so equal rewards give exactly 0 (float noise in the mean, divided by std + ε, would otherwise remain).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

GRPO_EPSILON = 1e-6
ROUND_DECIMALS = 9
ADVANTAGE_MODES = ("grpo", "dr_grpo")


def group_stats(values: Sequence[float]) -> tuple[float, float]:
    """(mean, std) of one group as verl takes them: (0, 1) for a single reward, unbiased std otherwise."""
    if len(values) == 0:
        raise ValueError("no score in group")
    if len(values) == 1:
        return 0.0, 1.0
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(var)


def group_advantages(
    rewards: Sequence[float],
    groups: Sequence[Hashable],
    mode: str = "grpo",
    epsilon: float = GRPO_EPSILON,
) -> list[float]:
    """One advantage per reward; `groups[i]` is the prompt index of reward i (verl's `index`)."""
    if len(rewards) != len(groups):
        raise ValueError(f"rewards ({len(rewards)}) and groups ({len(groups)}) differ in length")
    if mode not in ADVANTAGE_MODES:
        raise ValueError(f"advantage must be one of {', '.join(ADVANTAGE_MODES)}, got {mode!r}")
    members: dict[Hashable, list[float]] = {}
    for reward, group in zip(rewards, groups):
        members.setdefault(group, []).append(float(reward))
    stats = {group: group_stats(values) for group, values in members.items()}
    out = []
    for reward, group in zip(rewards, groups):
        mean, std = stats[group]
        value = (reward - mean) / (std + epsilon) if mode == "grpo" else reward - mean
        out.append(round(value, ROUND_DECIMALS) + 0.0)
    return out
