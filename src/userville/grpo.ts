/**
 * Group-relative advantages as verl's `compute_grpo_outcome_advantage` computes them (spec §6):
 * per-group mean and unbiased std (torch.std), ε = 1e-6, and a group of one uses mean 0 and std 1.
 */
import { roundReward } from "./rewards";

export type AdvantageMode = "grpo" | "dr_grpo" | "none";

export const GRPO_EPSILON = 1e-6;

interface GroupStats {
  mean: number;
  std: number;
}

function groupStats(values: number[]): GroupStats {
  if (values.length === 1) return { mean: 0, std: 1 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const squares = values.reduce((acc, v) => acc + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(squares / (values.length - 1)) };
}

/**
 * One advantage per reward, or null for mode "none". Rewards are clipped to [0, 1] first; items whose group
 * is null form a group of their own. Results are rounded to 1e-9 so equal rewards give exactly 0.
 */
export function groupAdvantages(
  rewards: readonly number[],
  groups: readonly (string | null)[],
  mode: AdvantageMode,
): number[] | null {
  if (rewards.length !== groups.length) {
    throw new RangeError(`rewards (${rewards.length}) and groups (${groups.length}) differ in length`);
  }
  if (mode === "none") return null;
  const clipped = rewards.map((r) => Math.min(Math.max(r, 0), 1));
  const members = new Map<string, number[]>();
  groups.forEach((group, i) => {
    if (group === null) return;
    const list = members.get(group);
    if (list) list.push(clipped[i]);
    else members.set(group, [clipped[i]]);
  });
  const stats = new Map<string, GroupStats>();
  for (const [group, values] of members) stats.set(group, groupStats(values));
  return clipped.map((r, i) => {
    const group = groups[i];
    const { mean, std } = group === null ? groupStats([r]) : (stats.get(group) as GroupStats);
    return roundReward(mode === "grpo" ? (r - mean) / (std + GRPO_EPSILON) : r - mean);
  });
}
