/**
 * Group advantages computed here, independently of src/userville/grpo.ts, for tests to compare with (verl 0.7's
 * compute_grpo_outcome_advantage): rewards clipped to [0, 1]; per group the mean and the unbiased std;
 * GRPO (r − mean) / (std + 1e-6), Dr. GRPO r − mean; a group of one has mean 0 and std 1.
 */
export function expectedAdvantages(rewards: number[], groups: string[], mode: "grpo" | "dr_grpo") {
  const clipped = rewards.map((r) => Math.min(1, Math.max(0, r)));
  return clipped.map((r, i) => {
    const members = clipped.filter((_, j) => groups[j] === groups[i]);
    const n = members.length;
    const mean = n === 1 ? 0 : members.reduce((a, b) => a + b, 0) / n;
    const std = n === 1 ? 1 : Math.sqrt(members.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
    return mode === "grpo" ? (r - mean) / (std + 1e-6) : r - mean;
  });
}
