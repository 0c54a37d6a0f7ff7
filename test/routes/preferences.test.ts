import { describe, expect, it } from "vitest";
import { call, expectError, newAccount } from "../helpers";

describe("GET /v1/preferences", () => {
  it("lists all 20 with check, split and penalty", async () => {
    const { key } = await newAccount();
    const res = await call("GET", "/v1/preferences", { key });
    expect(res.status).toBe(200);
    expect(res.json.data).toHaveLength(20);
    expect(res.json.data[0].id).toBe("no_preference");
    expect(res.json.data.filter((p: any) => p.split === "seen")).toHaveLength(12);
    const json = res.json.data.find((p: any) => p.id === "json");
    expect(json).toMatchObject({ check: "rule", split: "unseen" });
    expect(res.json.data.find((p: any) => p.id === "joke").check).toBe("judge");
    expect(res.json.data.find((p: any) => p.id === "professional").check).toBe("none");
  });

  it("needs a key", async () => {
    expectError(await call("GET", "/v1/preferences", { key: null }), 401, "unauthorized");
  });
});
