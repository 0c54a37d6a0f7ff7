import type { Child } from "hono/jsx";

/** Plain CSS, no build: readable on a phone (the table scrolls sideways), AA contrast in light and dark. */
const CSS = `
:root{--bg:#fff;--fg:#111827;--muted:#4b5563;--line:#d1d5db;--link:#1d4ed8;--track:#e5e7eb;--bar:#2563eb;--whisker:#111827;--accent:#eff6ff}
@media (prefers-color-scheme:dark){:root{--bg:#0b1220;--fg:#f3f4f6;--muted:#cbd5e1;--line:#374151;--link:#93c5fd;--track:#374151;--bar:#60a5fa;--whisker:#f9fafb;--accent:#172554}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main,footer{max-width:84rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
header a{font-weight:600}
a{color:var(--link)}
a:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
h1{font-size:1.6rem;margin:.5rem 0}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.muted{color:var(--muted)}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:.5rem}
table{border-collapse:collapse;width:100%;min-width:44rem}
caption{text-align:left;padding:.5rem .75rem;color:var(--muted);caption-side:top}
th,td{padding:.5rem .6rem;border-top:1px solid var(--line);text-align:left;vertical-align:middle}
thead th{border-top:0;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.score{display:flex;align-items:center;gap:.5rem;justify-content:flex-end}
.score span{min-width:3.2rem;text-align:right;font-variant-numeric:tabular-nums}
svg.bar{width:5.5rem;height:.9rem;flex:none}
svg.bar .track{fill:var(--track)}svg.bar .fill{fill:var(--bar)}svg.bar .whisker{stroke:var(--whisker);stroke-width:1.5px}
.toggle{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:1rem 0}
.toggle a{display:inline-block;padding:.35rem .9rem;border:1px solid var(--line);border-radius:999px;text-decoration:none}
.toggle a[aria-current]{background:var(--accent);border-color:var(--link);font-weight:600}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:1rem 0}
dl.meta dt{color:var(--muted)}
dl.meta dd{margin:0;overflow-wrap:anywhere}
code{font-size:.9em}
.ok{color:#166534}.bad{color:#991b1b}
@media (prefers-color-scheme:dark){.ok{color:#86efac}.bad{color:#fca5a5}}
@media (max-width:40rem){svg.bar{width:4rem}body{font-size:15px}
.sticky{position:sticky;left:0;background:var(--bg);z-index:1}.sticky+.sticky{left:2.75rem}td.sticky,th.sticky:first-child{width:2.75rem;min-width:2.75rem}}
`;

export function Layout({ title, children }: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{title}</title>
        <style>{CSS}</style>
      </head>
      <body>
        <header>
          <a href="/leaderboard">UserVille leaderboard</a>
        </header>
        <main>{children}</main>
        <footer>
          <p class="muted">
            Scores are computed by the service from its own stored sessions and signed; no submitted numbers
            are accepted, and every run an account starts becomes an entry. API: <a href="/docs">/docs</a>.
          </p>
        </footer>
      </body>
    </html>
  );
}
