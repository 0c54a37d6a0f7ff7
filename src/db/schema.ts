import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const createdAt = () =>
  integer("created_at", { mode: "number" }).notNull().default(sql`(unixepoch('subsec') * 1000)`);

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  credits: integer("credits").notNull().default(0),
  createdAt: createdAt(),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    name: text("name").notNull(),
    /** The visible start of the key, e.g. "uv_live_AbC1", for humans to recognise it. */
    prefix: text("prefix").notNull(),
    /** Hex SHA-256 of the whole key; the key itself is never stored. */
    hash: text("hash").notNull(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    createdAt: createdAt(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_hash_idx").on(t.hash), index("api_keys_account_idx").on(t.accountId)],
);

/** A task's public side in columns; the hidden side as one JSON value that only the service reads. */
export const tasks = sqliteTable(
  "tasks",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    family: text("family", { enum: ["swe", "research"] }).notNull(),
    title: text("title"),
    vaguePrompt: text("vague_prompt").notNull(),
    hidden: text("hidden", { mode: "json" })
      .$type<{
        prompt: string;
        hint?: string | null;
        files?: string[];
        functions?: string[];
        documents?: string[];
        answer?: string | null;
      }>()
      .notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("tasks_account_idx").on(t.accountId, t.createdAt)],
);
