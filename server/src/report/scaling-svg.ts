/**
 * A self-contained SVG of aggregation seconds against participants (per round, or in the
 * federation when a fraction is sampled: the x axis is labelled by the caller), both axes
 * logarithmic (a slope of 1 is linear growth, 2 quadratic), with the 60 s goal drawn across.
 */
export interface ScalingPoint {
  readonly participants: number;
  readonly seconds: number;
}

/** One curve of the plot (e.g. wall-clock and CPU seconds of the same runs). */
export interface ScalingSeries {
  readonly label: string;
  readonly points: readonly ScalingPoint[];
}

const COLOURS = ["#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"];

const WIDTH = 640;
const HEIGHT = 400;
const MARGIN = { left: 64, right: 24, top: 36, bottom: 48 };
const GOAL_SECONDS = 60;

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
}

/** Powers of ten covering [lo, hi]. */
function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

export function scalingSvg(series: readonly ScalingSeries[], title: string, xLabel = "participants per round (log)"): string {
  const points = series.flatMap((s) => s.points);
  if (points.length === 0) throw new Error("no points to plot");
  const xs = decades(Math.min(...points.map((p) => p.participants)), Math.max(...points.map((p) => p.participants)));
  const ys = decades(Math.min(0.1, ...points.map((p) => p.seconds)), Math.max(GOAL_SECONDS, ...points.map((p) => p.seconds)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const scale = (v: number, ticks: readonly number[]) =>
    (Math.log10(v) - Math.log10(ticks[0]!)) / (Math.log10(ticks.at(-1)!) - Math.log10(ticks[0]!) || 1);
  const x = (v: number) => MARGIN.left + scale(v, xs) * plotW;
  const y = (v: number) => MARGIN.top + (1 - scale(v, ys)) * plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const t of ys) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 8}" y="${y(t) + 4}" text-anchor="end">${t} s</text>`,
    );
  }
  for (const t of xs) {
    parts.push(
      `<line x1="${x(t)}" x2="${x(t)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`,
      `<text x="${x(t)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${t.toLocaleString("en")}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(GOAL_SECONDS)}" y2="${y(GOAL_SECONDS)}" stroke="#d62728" stroke-dasharray="6 4"/>`,
    `<text x="${MARGIN.left + plotW - 4}" y="${y(GOAL_SECONDS) - 6}" text-anchor="end" fill="#d62728">goal ${GOAL_SECONDS} s</text>`,
    ...series.flatMap((line, i) => {
      const colour = COLOURS[i % COLOURS.length]!;
      return [
        `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${line.points.map((p) => `${x(p.participants).toFixed(1)},${y(p.seconds).toFixed(1)}`).join(" ")}"/>`,
        ...line.points.map(
          (p) => `<circle cx="${x(p.participants).toFixed(1)}" cy="${y(p.seconds).toFixed(1)}" r="4" fill="${colour}"/>`,
        ),
        `<text x="${MARGIN.left + 8}" y="${MARGIN.top + 16 + 16 * i}" fill="${colour}">${escapeXml(line.label)}</text>`,
      ];
    }),
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `</svg>`,
  );
  return parts.join("\n");
}
