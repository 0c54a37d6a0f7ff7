import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

export const ADMIN_KEY = env.BOOTSTRAP_ADMIN_KEY as string;

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Calls the worker through its real fetch handler, as a client would. */
export async function call(method: string, path: string, opts: CallOptions = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  const key = opts.key === undefined ? ADMIN_KEY : opts.key;
  if (key) headers.Authorization = `Bearer ${key}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["Content-Type"] ??= "application/json";
  const res = await exports.default.fetch(
    new Request(`http://userville.test${path}`, { method, headers, body }),
  );
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Asserts the api.md error envelope. */
export function expectError(res: { status: number; json: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.json?.error?.code).toBe(code);
  expect(typeof res.json.error.message).toBe("string");
  expect(res.json.error.message.length).toBeGreaterThan(0);
  expect(typeof res.json.error.request_id).toBe("string");
}

/** A fresh account with its own default-scope key. */
export async function newAccount(name = "tenant", credits = 1_000_000) {
  const res = await call("POST", "/v1/keys", { body: { name, credits } });
  expect(res.status).toBe(201);
  return res.json as { id: string; key: string; account_id: string };
}

/** Inserts a task row for an account directly (task routes are tested on their own). */
export async function insertTask(
  accountId: string,
  task: Record<string, unknown> & { family: string; prompt: string },
) {
  const id = `task_t${crypto.randomUUID().replaceAll("-", "").slice(0, 19)}`;
  const { family, vague_prompt, ...hidden } = task as any;
  await env.DB.prepare(
    "insert into tasks (id, account_id, family, vague_prompt, hidden) values (?, ?, ?, ?, ?)",
  )
    .bind(id, accountId, family, vague_prompt ?? "Fix the bug.", JSON.stringify(hidden))
    .run();
  return id;
}
