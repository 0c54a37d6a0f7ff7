import type { Family } from "../types";

export type VaguenizeFamily = Family | "general";

export interface VaguenizeInput {
  prompt: string;
  /** Defaults to "general" (SWE rules without the title logic). */
  family?: VaguenizeFamily;
  /** SWE only: the issue title, preferred over the body when it survives generalisation. */
  title?: string | null;
  /** Values the vague prompt must not contain: gold files, functions (`path::Class.method`), the answer. */
  hidden?: string[];
}

export interface VaguenizeResult {
  vague_prompt: string;
  /** Hidden values still present after scrubbing (normally empty). */
  leaked: string[];
}
