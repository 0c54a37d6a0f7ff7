import type { Context } from "hono";
import { Hono } from "hono";
import { html } from "hono/html";
import type { JSX } from "hono/jsx/jsx-runtime";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { EntryPage } from "../../pages/entry-page";
import { IndexPage, NotFoundPage } from "../../pages/index-page";
import { LeaderboardPage } from "../../pages/leaderboard-page";
import { listBenchmarks } from "../../services/benchmarks";
import {
  entryCounts,
  getListedEntry,
  listEntries,
  SORTS,
  type Sort,
  SPLITS,
  type SplitView,
  verifyEntry,
} from "../../services/leaderboard";

/** Server-rendered, public (outside /v1: no key), no script at all; sorting and the split toggle are links. */
export const leaderboardPages = new Hono<AppEnv>();

leaderboardPages.use(
  "*",
  secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], styleSrc: ["'unsafe-inline'"], imgSrc: ["'self'"] },
  }),
);

const page = (c: Context<AppEnv>, node: JSX.Element, status: 200 | 404 = 200) =>
  c.html(html`<!DOCTYPE html>${node}`, status);

const pick = <T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T =>
  allowed.includes(value as T) ? (value as T) : fallback;

/** A page answers an unknown benchmark or entry with an HTML 404; anything else goes to the app's onError. */
async function orNotFound(c: Context<AppEnv>, render: () => Promise<Response>) {
  try {
    return await render();
  } catch (err) {
    if (err instanceof ApiError && err.code === "not_found")
      return page(c, <NotFoundPage message={err.message} />, 404);
    throw err;
  }
}

leaderboardPages.get("/", async (c) => {
  const db = c.get("db");
  const [benchmarks, counts] = await Promise.all([listBenchmarks(db), entryCounts(db, c.env)]);
  return page(
    c,
    <IndexPage benchmarks={benchmarks.map((b) => ({ ...b, entries: counts.get(b.id) ?? 0 }))} />,
  );
});

leaderboardPages.get("/:benchmark", (c) =>
  orNotFound(c, async () => {
    // A page forgives a bad query string: unknown values fall back to the defaults.
    const sort: Sort = pick(c.req.query("sort"), SORTS, "avg");
    const split: SplitView = pick(c.req.query("split"), SPLITS, "all");
    const board = await listEntries({
      db: c.get("db"),
      env: c.env,
      benchmarkId: c.req.param("benchmark"),
      sort,
      split,
    });
    return page(c, <LeaderboardPage {...board} />);
  }),
);

leaderboardPages.get("/:benchmark/entries/:id", (c) =>
  orNotFound(c, async () => {
    const db = c.get("db");
    const { benchmark, id } = c.req.param();
    const listed = await getListedEntry({ db, env: c.env, benchmarkId: benchmark, entryId: id });
    const { valid } = await verifyEntry({ db, env: c.env, benchmarkId: benchmark, entryId: id });
    return page(c, <EntryPage benchmark={listed.benchmark} entry={listed.entry} verified={valid} />);
  }),
);
