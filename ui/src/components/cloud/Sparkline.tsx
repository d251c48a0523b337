// A CPU sparkline: the last 3 hours of one instance as an inline SVG polyline (no chart library),
// on a fixed 0–100% scale so rows compare at a glance.
import { memo } from "react";
import { sparklinePoints } from "../../lib/wall";

export const Sparkline = memo(function Sparkline({ values, testId, width = 64, height = 16 }: { values: readonly (number | null)[]; testId: string; width?: number; height?: number }) {
  const points = sparklinePoints(values, width, height);
  const count = points ? points.split(" ").length : 0;
  if (count === 0) return <span className="inline-block shrink-0 text-faint" style={{ width }} data-testid={testId} data-points={0}>—</span>;
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      className="shrink-0 overflow-visible text-accent"
      role="img"
      aria-label={`CPU over the last 3 hours, ${count} points`}
      data-testid={testId}
      data-points={count}
    >
      <line x1={0} y1={height} x2={width} y2={height} className="stroke-line" strokeWidth={1} />
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth={1.25} strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
});
