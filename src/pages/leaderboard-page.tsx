import type { BenchmarkView } from "../services/benchmarks";
import type { EntryView, Sort, SplitView } from "../services/leaderboard";
import type { DimensionScores } from "../userville/leaderboard";
import { Layout } from "./layout";
import { percent, ScoreBar } from "./score-bar";

const COLUMNS: { sort: Exclude<Sort, "pass1">; label: string }[] = [
  { sort: "avg", label: "Avg" },
  { sort: "productivity", label: "Productivity" },
  { sort: "proactivity", label: "Proactivity" },
  { sort: "personalization", label: "Personalization" },
];

const SPLIT_LABELS: Record<SplitView, string> = {
  all: "All preferences",
  seen: "Seen preferences",
  unseen: "Unseen preferences",
  vague: "Vague prompts",
  precise: "Precise prompts",
};

export const benchmarkHref = (id: string, sort: Sort, split: SplitView) =>
  `/leaderboard/${encodeURIComponent(id)}?sort=${sort}&split=${split}`;

function SortHeader({
  benchmark,
  sort,
  split,
  column,
  label,
}: {
  benchmark: string;
  sort: Sort;
  split: SplitView;
  column: Sort;
  label: string;
}) {
  const active = sort === column;
  return (
    <th scope="col" class="num" aria-sort={active ? "descending" : undefined}>
      <a href={benchmarkHref(benchmark, column, split)} data-sort={column}>
        {label}
        {active ? <span aria-hidden="true"> ▼</span> : null}
      </a>
    </th>
  );
}

export function LeaderboardPage({
  benchmark,
  entries,
  hidden,
  sort,
  split,
}: {
  benchmark: BenchmarkView;
  entries: EntryView[];
  hidden: number;
  sort: Sort;
  split: SplitView;
}) {
  const splits: SplitView[] = [
    "all",
    "seen",
    "unseen",
    ...(benchmark.prompts.length > 1 ? (["vague", "precise"] as const) : []),
  ];
  const sortLabel = sort === "pass1" ? "pass^1" : (COLUMNS.find((c) => c.sort === sort)?.label ?? sort);
  const passK = String(benchmark.trials);
  return (
    <Layout title={`${benchmark.name} · UserVille leaderboard`}>
      <h1>{benchmark.name}</h1>
      {benchmark.description ? <p>{benchmark.description}</p> : null}
      <p class="muted">
        {benchmark.tasks} tasks · {benchmark.items} items ({benchmark.preferences.length} preferences,{" "}
        {benchmark.prompts.join(" and ")} prompts) · {benchmark.trials} trial
        {benchmark.trials === 1 ? "" : "s"} per item · JSON:{" "}
        <a href={`/v1/leaderboards/${encodeURIComponent(benchmark.id)}`}>/v1/leaderboards/{benchmark.id}</a>
      </p>
      <p class="muted">
        At most {benchmark.max_runs} run{benchmark.max_runs === 1 ? "" : "s"} per account, each ending within{" "}
        {benchmark.deadline_minutes} minutes; every run started is an entry, and “Runs” shows how many its
        account started.
      </p>
      {hidden > 0 ? (
        <p class="bad" data-hidden={hidden}>
          {hidden} entr{hidden === 1 ? "y is" : "ies are"} hidden: {hidden === 1 ? "its" : "their"} stored
          signature does not verify.
        </p>
      ) : null}
      <nav aria-label="Which sessions the scores cover">
        <ul class="toggle">
          {splits.map((s) => (
            <li>
              <a
                href={benchmarkHref(benchmark.id, sort === "pass1" && s !== "all" ? "avg" : sort, s)}
                data-split={s}
                aria-current={s === split ? "true" : undefined}
              >
                {SPLIT_LABELS[s]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {entries.length === 0 ? (
        <p>
          No entries yet. Start a run with <code>POST /v1/benchmarks/{benchmark.id}/runs</code> and play its
          sessions: it becomes an entry when the last one finishes or its deadline passes.
        </p>
      ) : (
        <>
          <p class="muted">
            Percentages. A bar is the mean, its whisker the 95% bootstrap interval. Select a column heading to
            rank by it.
          </p>
          <section class="scroll" aria-label="Leaderboard table" tabindex={0}>
            <table>
              <caption>
                {SPLIT_LABELS[split]}, ranked by {sortLabel}
              </caption>
              <thead>
                <tr>
                  <th scope="col" class="num sticky">
                    Rank
                  </th>
                  <th scope="col" class="sticky">
                    Agent
                  </th>
                  {COLUMNS.map((c) => (
                    <SortHeader
                      benchmark={benchmark.id}
                      sort={sort}
                      split={split}
                      column={c.sort}
                      label={c.label}
                    />
                  ))}
                  {split === "all" ? (
                    <SortHeader
                      benchmark={benchmark.id}
                      sort={sort}
                      split={split}
                      column="pass1"
                      label="pass^1"
                    />
                  ) : null}
                  {split === "all" && passK !== "1" ? (
                    <th scope="col" class="num">
                      pass^{passK}
                    </th>
                  ) : null}
                  <th scope="col" class="num">
                    Ask ratio
                  </th>
                  <th scope="col" class="num">
                    Sessions
                  </th>
                  <th scope="col" class="num">
                    Runs
                  </th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => {
                  const group: DimensionScores | null = split === "all" ? e.scores : e.scores.splits[split];
                  return (
                    <tr data-entry-id={e.id}>
                      <td class="num sticky">{e.rank}</td>
                      <th scope="row" class="sticky">
                        <a
                          href={`/leaderboard/${encodeURIComponent(benchmark.id)}/entries/${encodeURIComponent(e.id)}`}
                        >
                          {e.agent}
                        </a>
                        {e.version ? <span class="muted"> {e.version}</span> : null}
                      </th>
                      {COLUMNS.map((c) => (
                        <td class="num">
                          <ScoreBar label={c.label} mean={group?.[c.sort].mean} ci={group?.[c.sort].ci} />
                        </td>
                      ))}
                      {split === "all" ? <td class="num">{percent(e.scores.pass_k["1"])}</td> : null}
                      {split === "all" && passK !== "1" ? (
                        <td class="num">{percent(e.scores.pass_k[passK])}</td>
                      ) : null}
                      <td class="num">{percent(group?.ask_ratio)}</td>
                      <td class="num">{group?.sessions ?? 0}</td>
                      <td class="num" data-runs-started={e.runs_started}>
                        {e.runs_started}
                        {e.ended_by === "expired" ? <span class="muted"> (expired)</span> : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        </>
      )}
    </Layout>
  );
}
