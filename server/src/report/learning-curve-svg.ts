/**
 * A self-contained SVG of the learning curves (validation and test HR@10 and NDCG@10 per round),
 * with the best-validation round marked. No dependencies: it opens in any browser.
 */
import type { SimulationResult } from "@fedrec/common";

const WIDTH = 720;
const HEIGHT = 400;
const MARGIN = { left: 56, right: 150, top: 36, bottom: 44 };

const SERIES = [
  { label: "val HR@10", color: "#1f77b4", dash: "6 4", pick: (r: SimulationResult["rounds"][number]) => r.val.hr10 },
  { label: "test HR@10", color: "#1f77b4", dash: "", pick: (r: SimulationResult["rounds"][number]) => r.test.hr10 },
  { label: "val NDCG@10", color: "#d62728", dash: "6 4", pick: (r: SimulationResult["rounds"][number]) => r.val.ndcg10 },
  { label: "test NDCG@10", color: "#d62728", dash: "", pick: (r: SimulationResult["rounds"][number]) => r.test.ndcg10 },
] as const;

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
}

export function learningCurveSvg(result: SimulationResult, title: string): string {
  const rounds = result.rounds;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const lastRound = Math.max(1, rounds.at(-1)?.round ?? 1);
  const x = (round: number) => MARGIN.left + (lastRound === 1 ? 0 : ((round - 1) / (lastRound - 1)) * plotW);
  const y = (v: number) => MARGIN.top + (1 - v) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let tick = 0; tick <= 10; tick += 2) {
    const v = tick / 10;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 8}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>`,
    );
  }
  const step = Math.max(1, Math.ceil(lastRound / 10));
  for (let round = 1; round <= lastRound; round += step) {
    parts.push(`<text x="${x(round)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${round}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">round</text>`);
  if (result.summary) {
    const bx = x(result.summary.bestRound);
    parts.push(
      `<line x1="${bx}" x2="${bx}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#888" stroke-dasharray="2 3"/>`,
      `<text x="${bx + 4}" y="${MARGIN.top + 12}" fill="#555">best val (round ${result.summary.bestRound})</text>`,
    );
  }
  SERIES.forEach((s, i) => {
    const points = rounds.map((r) => `${x(r.round).toFixed(1)},${y(s.pick(r)).toFixed(1)}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" stroke-dasharray="${s.dash}" points="${points}"/>`);
    const ly = MARGIN.top + 16 + i * 20;
    const lx = MARGIN.left + plotW + 16;
    parts.push(
      `<line x1="${lx}" x2="${lx + 28}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2" stroke-dasharray="${s.dash}"/>`,
      `<text x="${lx + 34}" y="${ly + 4}">${s.label}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
