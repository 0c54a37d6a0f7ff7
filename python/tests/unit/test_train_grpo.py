"""Group advantages: verl 0.7.0's compute_grpo_outcome_advantage, value for value."""

from __future__ import annotations

import math
import unittest

from userville.train.grpo import GRPO_EPSILON, group_advantages, group_stats


class GroupAdvantageTest(unittest.TestCase):
    def test_grpo_uses_unbiased_std_and_epsilon(self) -> None:
        # Group a: [1, 0, 0, 1] → mean 0.5, unbiased std sqrt(1/3); group b: [0.5, 0.1] → mean 0.3, std sqrt(0.08).
        rewards = [1.0, 0.0, 0.0, 1.0, 0.5, 0.1]
        groups = ["a", "a", "a", "a", "b", "b"]
        adv = group_advantages(rewards, groups, "grpo")
        std_a = math.sqrt(1 / 3)
        std_b = math.sqrt(0.08)
        expected = [0.5 / (std_a + 1e-6), -0.5 / (std_a + 1e-6), -0.5 / (std_a + 1e-6), 0.5 / (std_a + 1e-6),
                    0.2 / (std_b + 1e-6), -0.2 / (std_b + 1e-6)]
        for got, want in zip(adv, expected):
            self.assertAlmostEqual(got, want, places=9)
        self.assertAlmostEqual(adv[0], 0.866024, places=5)

    def test_dr_grpo_subtracts_the_mean_only(self) -> None:
        adv = group_advantages([0.9, 0.3, 0.0], [1, 1, 1], "dr_grpo")
        for got, want in zip(adv, [0.5, -0.1, -0.4]):
            self.assertAlmostEqual(got, want, places=9)

    def test_a_group_of_one_uses_mean_0_std_1_as_verl(self) -> None:
        self.assertEqual(group_stats([0.7]), (0.0, 1.0))
        self.assertAlmostEqual(group_advantages([0.7], ["solo"], "grpo")[0], 0.7 / (1 + GRPO_EPSILON), places=9)
        self.assertAlmostEqual(group_advantages([0.7], ["solo"], "dr_grpo")[0], 0.7, places=9)

    def test_equal_rewards_give_zero(self) -> None:
        self.assertEqual(group_advantages([0.4, 0.4, 0.4], ["g"] * 3, "grpo"), [0.0, 0.0, 0.0])

    def test_bad_input(self) -> None:
        with self.assertRaises(ValueError):
            group_advantages([1.0], ["a", "b"])
        with self.assertRaises(ValueError):
            group_advantages([1.0], ["a"], "none")


if __name__ == "__main__":
    unittest.main()
