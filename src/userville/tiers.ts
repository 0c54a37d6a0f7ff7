/** Information tiers, their cost levels and effort classes (spec §2). */
import type { Effort, Family, Tier } from "./types";

/** The reference simulator answers at most this many questions; later asks get a refusal and no tier. */
export const MAX_ANSWERED_QUESTIONS = 4;

/** Tiers valid per family, in cost order: position + 1 is the cost level. */
export const FAMILY_TIERS = {
  swe: ["precise", "hint", "idk", "file", "function"],
  research: ["precise", "idk", "gold_doc"],
} as const satisfies Record<Family, readonly Tier[]>;

const TIER_EFFORT: Record<Tier, Effort> = {
  precise: "low",
  idk: "medium",
  hint: "high",
  file: "high",
  function: "high",
  gold_doc: "high",
};

/** Thrown when a tier does not exist in a family (e.g. `file` on research); the HTTP layer maps it to 400. */
export class InvalidTierError extends Error {
  constructor(
    readonly family: Family,
    readonly tier: string,
  ) {
    super(tierErrorMessage(family, tier));
    this.name = "InvalidTierError";
  }
}

function tierErrorMessage(family: Family, tier: string): string {
  return `tier "${tier}" does not exist for family "${family}" (valid: ${FAMILY_TIERS[family].join(", ")})`;
}

export function tierValidFor(family: Family, tier: Tier): boolean {
  return (FAMILY_TIERS[family] as readonly Tier[]).includes(tier);
}

/**
 * Validates a client-supplied label: the tier must exist in the family and, when both are given, the effort
 * must be the tier's effort class (the spec fixes it). Returns a human sentence for a 400, or null if fine.
 */
export function labelError(family: Family, tier?: Tier | null, effort?: Effort | null): string | null {
  if (tier == null) return null;
  if (!tierValidFor(family, tier)) return tierErrorMessage(family, tier);
  if (effort != null && effort !== TIER_EFFORT[tier]) {
    return `effort "${effort}" contradicts tier "${tier}" (whose effort is "${TIER_EFFORT[tier]}")`;
  }
  return null;
}

export function assertTier(family: Family, tier: Tier): void {
  if (!tierValidFor(family, tier)) throw new InvalidTierError(family, tier);
}

/** Cost level 1..5 (swe) or 1..3 (research). Throws InvalidTierError for a tier outside the family. */
export function tierLevel(family: Family, tier: Tier): number {
  const index = (FAMILY_TIERS[family] as readonly Tier[]).indexOf(tier);
  if (index < 0) throw new InvalidTierError(family, tier);
  return index + 1;
}

export function tierEffort(tier: Tier): Effort {
  return TIER_EFFORT[tier];
}

/** The least sensitive tier of an effort class: what an effort-only label stands for. */
export function tierForEffort(family: Family, effort: Effort): Tier {
  const tier = FAMILY_TIERS[family].find((t) => TIER_EFFORT[t] === effort);
  // Every family has one tier per effort class, so this only fires on a corrupted table.
  if (tier === undefined) throw new Error(`no ${effort} tier in family ${family}`);
  return tier;
}
