export const percent = (x: number | null | undefined) =>
  x === null || x === undefined ? "—" : (x * 100).toFixed(1);

/** Bar = the mean, whisker = the 95% interval, as inline SVG; the label carries the same numbers for screen readers. */
export function ScoreBar({
  label,
  mean,
  ci,
}: {
  label: string;
  mean: number | null | undefined;
  ci?: [number, number] | null;
}) {
  if (mean === null || mean === undefined) {
    return (
      <span class="score">
        <span>—</span>
      </span>
    );
  }
  const text = `${label} ${percent(mean)}%${ci ? `, 95% CI ${percent(ci[0])} to ${percent(ci[1])}` : ""}`;
  const x = (v: number) => Math.max(0, Math.min(100, v * 100));
  return (
    <span class="score">
      <span aria-hidden="true">{percent(mean)}</span>
      <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label={text}>
        <title>{text}</title>
        <rect class="track" x="0" y="1" width="100" height="8" />
        <rect class="fill" x="0" y="1" width={x(mean)} height="8" />
        {ci ? (
          <g class="whisker">
            <line x1={x(ci[0])} y1="5" x2={x(ci[1])} y2="5" vector-effect="non-scaling-stroke" />
            <line x1={x(ci[0])} y1="2" x2={x(ci[0])} y2="8" vector-effect="non-scaling-stroke" />
            <line x1={x(ci[1])} y1="2" x2={x(ci[1])} y2="8" vector-effect="non-scaling-stroke" />
          </g>
        ) : null}
      </svg>
    </span>
  );
}
