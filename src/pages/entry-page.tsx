import type { BenchmarkView } from "../services/benchmarks";
import type { EntryView } from "../services/leaderboard";
import type { DimensionScores } from "../userville/leaderboard";
import { Layout } from "./layout";
import { percent, ScoreBar } from "./score-bar";

const DIMS = [
  ["avg", "Avg"],
  ["productivity", "Productivity"],
  ["proactivity", "Proactivity"],
  ["personalization", "Personalization"],
] as const;

function SummaryRow({ label, group }: { label: string; group: DimensionScores | null }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      {DIMS.map(([key, name]) => (
        <td class="num">
          <ScoreBar label={`${label}, ${name}`} mean={group?.[key].mean} ci={group?.[key].ci} />
        </td>
      ))}
      <td class="num">{percent(group?.ask_ratio)}</td>
      <td class="num">{group?.sessions ?? 0}</td>
    </tr>
  );
}

export function EntryPage({
  benchmark,
  entry,
  verified,
}: {
  benchmark: BenchmarkView;
  entry: EntryView;
  verified: boolean;
}) {
  const s = entry.scores;
  const prefs = Object.entries(s.by_preference);
  return (
    <Layout title={`${entry.agent} on ${benchmark.name} · UserVille leaderboard`}>
      <p>
        <a href={`/leaderboard/${encodeURIComponent(benchmark.id)}`}>← {benchmark.name}</a>
      </p>
      <h1>
        {entry.agent}
        {entry.version ? <span class="muted"> {entry.version}</span> : null}
      </h1>
      <dl class="meta">
        <dt>Rank</dt>
        <dd>{entry.rank ?? "—"}</dd>
        <dt>Ended</dt>
        <dd>
          {entry.submitted_at}
          {entry.ended_by === "expired" ? " (deadline passed; unfinished sessions scored 0)" : ""}
        </dd>
        <dt>Runs started</dt>
        <dd>{entry.runs_started} by this account on this benchmark</dd>
        <dt>Simulated user</dt>
        <dd>
          {entry.engine} engine{entry.model ? `, model ${entry.model}` : ""} (versions:{" "}
          {Object.entries(entry.prompt_versions)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}
          )
        </dd>
        <dt>pass^k</dt>
        <dd>
          {Object.entries(s.pass_k)
            .map(([k, v]) => `pass^${k} ${percent(v)}`)
            .join(" · ")}
        </dd>
        <dt>Signature</dt>
        <dd>
          <code>{entry.signature}</code>{" "}
          {verified ? (
            <strong class="ok">verified against the stored sessions</strong>
          ) : (
            <strong class="bad">does not verify</strong>
          )}
        </dd>
      </dl>
      <h2>Summary</h2>
      <section class="scroll" aria-label="Summary" tabindex={0}>
        <table>
          <caption>
            Percentages; a bar is the mean and its whisker the 95% bootstrap interval over items (
            {s.bootstrap.resamples} resamples, seed {s.bootstrap.seed}).
          </caption>
          <thead>
            <tr>
              <th scope="col">Sessions</th>
              {DIMS.map(([, name]) => (
                <th scope="col" class="num">
                  {name}
                </th>
              ))}
              <th scope="col" class="num">
                Ask ratio
              </th>
              <th scope="col" class="num">
                Count
              </th>
            </tr>
          </thead>
          <tbody>
            <SummaryRow label="All" group={s} />
            <SummaryRow label="Seen preferences" group={s.splits.seen} />
            <SummaryRow label="Unseen preferences" group={s.splits.unseen} />
            {s.splits.vague ? <SummaryRow label="Vague prompts" group={s.splits.vague} /> : null}
            {s.splits.precise ? <SummaryRow label="Precise prompts" group={s.splits.precise} /> : null}
          </tbody>
        </table>
      </section>
      <h2>By preference</h2>
      <section class="scroll" aria-label="Scores by preference" tabindex={0}>
        <table>
          <caption>Means per user preference, in percent.</caption>
          <thead>
            <tr>
              <th scope="col">Preference</th>
              <th scope="col">Split</th>
              <th scope="col" class="num">
                Avg
              </th>
              <th scope="col" class="num">
                Productivity
              </th>
              <th scope="col" class="num">
                Proactivity
              </th>
              <th scope="col" class="num">
                Personalization
              </th>
              <th scope="col" class="num">
                Ask ratio
              </th>
              <th scope="col" class="num">
                Sessions
              </th>
            </tr>
          </thead>
          <tbody>
            {prefs.map(([id, p]) => (
              <tr data-preference={id}>
                <th scope="row">
                  <code>{id}</code>
                </th>
                <td>{p.split}</td>
                <td class="num">{percent(p.avg)}</td>
                <td class="num">{percent(p.productivity)}</td>
                <td class="num">{percent(p.proactivity)}</td>
                <td class="num">{percent(p.personalization)}</td>
                <td class="num">{percent(p.ask_ratio)}</td>
                <td class="num">{p.sessions}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}
