/**
 * Leaderboard aggregates of one run (spec §5 metrics): per-dimension means with a seeded cluster-bootstrap 95%
 * interval, pass^k over trials, the ask ratio, and splits by seen/unseen preference and vague/precise prompt.
 * Pure: the caller hands in the finished sessions' stored scores.
 */
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { mean, quantileSorted } from "simple-statistics";
import { getPreference } from "./preferences";
import type { PreferenceId, Split } from "./types";

/** One finished session of a run, as its stored Score describes it. */
export interface RunSession {
  taskId: string;
  preference: PreferenceId;
  vague: boolean;
  productivity: number;
  proactive: boolean;
  /** null: not counted for personalization (no question, no count rule fired). */
  personalized: boolean | null;
  asked: boolean;
  reward: number;
}

export interface Interval {
  /** null when no session counts for this dimension. */
  mean: number | null;
  /** 95% percentile bootstrap interval; null with fewer than two items. */
  ci: [number, number] | null;
  /** Sessions counted. */
  n: number;
}

export interface DimensionScores {
  productivity: Interval;
  proactivity: Interval;
  personalization: Interval;
  /** Mean of the three dimension means (Table 2 "Avg"); a dimension without sessions is left out. */
  avg: Interval;
  ask_ratio: number;
  sessions: number;
  items: number;
}

export interface PreferenceScores {
  split: Split;
  sessions: number;
  productivity: number | null;
  proactivity: number | null;
  personalization: number | null;
  avg: number | null;
  ask_ratio: number;
}

export interface EntryScores extends DimensionScores {
  trials: number;
  /** pass^k for k = 1..trials: the chance that all k trials of an item succeed (τ-bench estimator). */
  pass_k: Record<string, number>;
  splits: Record<"seen" | "unseen" | "vague" | "precise", DimensionScores | null>;
  by_preference: Partial<Record<PreferenceId, PreferenceScores>>;
  bootstrap: { method: "percentile"; unit: "item"; resamples: number; level: number; seed: number };
}

export const DIMENSIONS = ["productivity", "proactivity", "personalization"] as const;
export const BOOTSTRAP_RESAMPLES = 1000;
const LEVEL = 0.95;
/** A trial succeeds when its clipped reward is full: solved, with bonuses covering any effort or preference penalty. */
export const SUCCESS_REWARD = 1;

/** Sums of one item (task × preference × prompt) over its trials: enough for every mean and resample. */
interface ItemSums {
  n: number;
  productivity: number;
  proactive: number;
  personalizedN: number;
  personalized: number;
  asked: number;
  successes: number;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** FNV-1a (32 bit): a stable seed from a string, e.g. the benchmark id, so every run of it resamples alike. */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function itemKey(s: RunSession) {
  return `${s.taskId}\u0000${s.preference}\u0000${s.vague ? 1 : 0}`;
}

/** Items in a fixed order (sorted keys), so the same sessions in any order give the same resamples. */
function itemSums(sessions: readonly RunSession[]): ItemSums[] {
  const byKey = new Map<string, ItemSums>();
  for (const s of sessions) {
    const key = itemKey(s);
    let sums = byKey.get(key);
    if (!sums) {
      sums = {
        n: 0,
        productivity: 0,
        proactive: 0,
        personalizedN: 0,
        personalized: 0,
        asked: 0,
        successes: 0,
      };
      byKey.set(key, sums);
    }
    sums.n++;
    sums.productivity += s.productivity;
    sums.proactive += s.proactive ? 1 : 0;
    if (s.personalized !== null) {
      sums.personalizedN++;
      sums.personalized += s.personalized ? 1 : 0;
    }
    sums.asked += s.asked ? 1 : 0;
    sums.successes += s.reward >= SUCCESS_REWARD - 1e-9 ? 1 : 0;
  }
  return [...byKey.keys()].sort().map((key) => byKey.get(key) as ItemSums);
}

type Means = [productivity: number | null, proactivity: number | null, personalization: number | null];

function meansOf(items: readonly ItemSums[], picks?: readonly number[]): Means {
  let n = 0;
  let productivity = 0;
  let proactive = 0;
  let personalizedN = 0;
  let personalized = 0;
  for (let i = 0; i < (picks ?? items).length; i++) {
    const item = items[picks ? picks[i] : i];
    n += item.n;
    productivity += item.productivity;
    proactive += item.proactive;
    personalizedN += item.personalizedN;
    personalized += item.personalized;
  }
  return [
    n ? productivity / n : null,
    n ? proactive / n : null,
    personalizedN ? personalized / personalizedN : null,
  ];
}

function avgOf(means: Means): number | null {
  const present = means.filter((m): m is number => m !== null);
  return present.length ? mean(present) : null;
}

function interval(values: number[]): [number, number] | null {
  if (values.length < 2) return null;
  values.sort((a, b) => a - b);
  const tail = (1 - LEVEL) / 2;
  return [round(quantileSorted(values, tail)), round(quantileSorted(values, 1 - tail))];
}

/**
 * Cluster bootstrap over items: each resample draws as many items as there are, with replacement, and keeps
 * all trials of a drawn item together (trials of one item are not independent).
 */
function dimensionScores(items: readonly ItemSums[], seed: number, resamples: number): DimensionScores {
  const point = meansOf(items);
  const draws: number[][] = [[], [], [], []];
  if (items.length > 1) {
    const rng = xoroshiro128plus(seed);
    const picks = new Array<number>(items.length);
    for (let b = 0; b < resamples; b++) {
      for (let i = 0; i < items.length; i++) picks[i] = uniformInt(rng, 0, items.length - 1);
      const means = meansOf(items, picks);
      const all = [...means, avgOf(means)];
      all.forEach((value, d) => {
        if (value !== null) draws[d].push(value);
      });
    }
  }
  const sessions = items.reduce((sum, item) => sum + item.n, 0);
  const personalizedN = items.reduce((sum, item) => sum + item.personalizedN, 0);
  const counts = [sessions, sessions, personalizedN, sessions];
  const [productivity, proactivity, personalization, avg] = [...point, avgOf(point)].map((value, d) => ({
    mean: value === null ? null : round(value),
    ci: value === null ? null : interval(draws[d]),
    n: counts[d],
  }));
  return {
    productivity,
    proactivity,
    personalization,
    avg,
    ask_ratio: round(items.reduce((sum, item) => sum + item.asked, 0) / sessions),
    sessions,
    items: items.length,
  };
}

/** C(c, k) / C(n, k): the chance that k of n trials drawn without replacement are all among the c successes. */
export function passHatK(n: number, c: number, k: number): number {
  let p = 1;
  for (let i = 0; i < k; i++) p *= (c - i) / (n - i);
  return Math.max(0, p);
}

function passK(items: readonly ItemSums[]): Record<string, number> {
  const trials = Math.min(...items.map((item) => item.n));
  const out: Record<string, number> = {};
  for (let k = 1; k <= trials; k++) {
    out[String(k)] = round(mean(items.map((item) => passHatK(item.n, item.successes, k))));
  }
  return out;
}

function byPreference(sessions: readonly RunSession[]) {
  const groups = new Map<PreferenceId, RunSession[]>();
  for (const s of sessions) groups.set(s.preference, [...(groups.get(s.preference) ?? []), s]);
  const out: Partial<Record<PreferenceId, PreferenceScores>> = {};
  for (const id of [...groups.keys()].sort()) {
    const group = groups.get(id) as RunSession[];
    const means = meansOf(itemSums(group));
    const avg = avgOf(means);
    out[id] = {
      split: getPreference(id).split,
      sessions: group.length,
      productivity: means[0] === null ? null : round(means[0]),
      proactivity: means[1] === null ? null : round(means[1]),
      personalization: means[2] === null ? null : round(means[2]),
      avg: avg === null ? null : round(avg),
      ask_ratio: round(group.filter((s) => s.asked).length / group.length),
    };
  }
  return out;
}

/** Every aggregate of one run. Throws on an empty run: a run always has sessions. */
export function aggregateRun(
  sessions: readonly RunSession[],
  { seed, resamples = BOOTSTRAP_RESAMPLES }: { seed: number; resamples?: number },
): EntryScores {
  if (sessions.length === 0) throw new RangeError("a run without sessions has no scores");
  const items = itemSums(sessions);
  const subset = (keep: (s: RunSession) => boolean) => {
    const kept = sessions.filter(keep);
    return kept.length ? dimensionScores(itemSums(kept), seed, resamples) : null;
  };
  return {
    ...dimensionScores(items, seed, resamples),
    trials: Math.min(...items.map((item) => item.n)),
    pass_k: passK(items),
    splits: {
      seen: subset((s) => getPreference(s.preference).split === "seen"),
      unseen: subset((s) => getPreference(s.preference).split === "unseen"),
      vague: subset((s) => s.vague),
      precise: subset((s) => !s.vague),
    },
    by_preference: byPreference(sessions),
    bootstrap: { method: "percentile", unit: "item", resamples, level: LEVEL, seed },
  };
}
