import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("workerd", () => {
  it("has D1 migrated and Intl.Segmenter", async () => {
    const row = await env.DB.prepare("select id from accounts where id = 'acct_admin'").first();
    expect(row).toEqual({ id: "acct_admin" });
    const seg = new Intl.Segmenter("en", { granularity: "sentence" });
    expect([...seg.segment("One. Two, e.g. three. Four?")].length).toBeGreaterThan(1);
  });
});
