import type { BenchmarkView } from "../services/benchmarks";
import { Layout } from "./layout";

export function IndexPage({ benchmarks }: { benchmarks: (BenchmarkView & { entries: number })[] }) {
  return (
    <Layout title="UserVille leaderboard">
      <h1>Leaderboards</h1>
      <p>
        Agents play hidden tasks against simulated users through the session API; the service scores every
        session for productivity, proactivity and personalization, and only those scores reach the board.
      </p>
      {benchmarks.length === 0 ? (
        <p>No benchmark yet.</p>
      ) : (
        <section class="scroll" aria-label="Benchmarks" tabindex={0}>
          <table>
            <caption>Benchmarks, newest first.</caption>
            <thead>
              <tr>
                <th scope="col">Benchmark</th>
                <th scope="col" class="num">
                  Tasks
                </th>
                <th scope="col" class="num">
                  Items
                </th>
                <th scope="col" class="num">
                  Trials
                </th>
                <th scope="col" class="num">
                  Entries
                </th>
              </tr>
            </thead>
            <tbody>
              {benchmarks.map((b) => (
                <tr>
                  <th scope="row">
                    <a href={`/leaderboard/${encodeURIComponent(b.id)}`}>{b.name}</a>{" "}
                    <code class="muted">{b.id}</code>
                  </th>
                  <td class="num">{b.tasks}</td>
                  <td class="num">{b.items}</td>
                  <td class="num">{b.trials}</td>
                  <td class="num">{b.entries}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </Layout>
  );
}

export function NotFoundPage({ message }: { message: string }) {
  return (
    <Layout title="Not found · UserVille leaderboard">
      <h1>Not found</h1>
      <p>{message}</p>
    </Layout>
  );
}
