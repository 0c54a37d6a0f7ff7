import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { isWellFormedApiKey } from "../../src/lib/api-keys";
import { sha256Hex } from "../../src/lib/crypto";
import { call, expectError, newAccount } from "../helpers";

describe("POST /v1/keys", () => {
  it("creates an account and a key shown once, stored only as a hash", async () => {
    const res = await call("POST", "/v1/keys", { body: { name: "alice", credits: 50 } });
    expect(res.status).toBe(201);
    const { id, key, account_id, prefix, scopes } = res.json;
    expect(id).toMatch(/^key_/);
    expect(account_id).toMatch(/^acct_/);
    expect(key).toMatch(/^uv_live_[0-9A-Za-z]{38}$/);
    expect(isWellFormedApiKey(key)).toBe(true);
    expect(prefix).toBe(key.slice(0, 12));
    expect(scopes).toEqual(["default"]);
    const row = await env.DB.prepare("select * from api_keys where id = ?")
      .bind(id)
      .first<Record<string, string>>();
    expect(row?.hash).toBe(await sha256Hex(key));
    expect(JSON.stringify(row)).not.toContain(key);
    const account = await env.DB.prepare("select credits from accounts where id = ?")
      .bind(account_id)
      .first();
    expect(account).toEqual({ credits: 50 });
  });

  it("the new key authenticates", async () => {
    const { key } = await newAccount();
    const res = await call("GET", "/v1/preferences", { key });
    expect(res.status).toBe(200);
  });

  it("adds a key to an existing account", async () => {
    const first = await newAccount();
    const res = await call("POST", "/v1/keys", { body: { name: "second", account_id: first.account_id } });
    expect(res.status).toBe(201);
    expect(res.json.account_id).toBe(first.account_id);
  });

  it("rejects invalid input with 400 and writes nothing", async () => {
    const before = await env.DB.prepare("select count(*) as n from api_keys").first<{ n: number }>();
    for (const body of [
      {},
      { name: "" },
      { name: 5 },
      { name: "x", credits: -1 },
      { name: "x", scopes: ["root"] },
      { name: "x", extra: 1 },
    ]) {
      expectError(await call("POST", "/v1/keys", { body }), 400, "invalid_request");
    }
    expectError(await call("POST", "/v1/keys", { rawBody: "{not json" }), 400, "invalid_request");
    const after = await env.DB.prepare("select count(*) as n from api_keys").first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });

  it("unknown account → 404", async () => {
    expectError(
      await call("POST", "/v1/keys", { body: { name: "x", account_id: "acct_nope" } }),
      404,
      "not_found",
    );
  });

  it("needs a key (401) and an admin key (403)", async () => {
    expectError(await call("POST", "/v1/keys", { key: null, body: { name: "x" } }), 401, "unauthorized");
    const { key } = await newAccount();
    expectError(await call("POST", "/v1/keys", { key, body: { name: "x" } }), 403, "forbidden");
  });

  it("refuses a checksum-broken or unknown key with 401", async () => {
    const { key } = await newAccount();
    const flipped = key.slice(0, 20) + (key[20] === "a" ? "b" : "a") + key.slice(21);
    expectError(await call("GET", "/v1/preferences", { key: flipped }), 401, "unauthorized");
    expectError(await call("GET", "/v1/preferences", { key: "garbage" }), 401, "unauthorized");
    expectError(await call("GET", "/v1/preferences", { key: "Basic abc" }), 401, "unauthorized");
  });
});
