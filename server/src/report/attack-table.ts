/**
 * The attack harness's Markdown table: one row per setting and scored round. Round 1 rows score
 * the first upload alone; later rows combine all of a client's uploads so far (items named in at
 * least half of them, the profile from the latest θ_user against the initialisation). The last
 * item column is chance for the item precisions: the share of the catalogue a client rated. The
 * released-table columns are the observer of released-table-observer.ts ("–": not measured).
 */
import type { AttackRoundReport, ItemInference } from "@fedrec/common";

export interface SettingReports {
  readonly name: string;
  readonly what: string;
  readonly reports: readonly AttackRoundReport[];
}

const ATTRIBUTES = ["gender", "ageBracket", "occupation"] as const;

export function attackTable(settings: readonly SettingReports[]): string {
  const header = [
    "setting",
    "round",
    "profile cos (from init / consecutive)",
    "gender (majority)",
    "age bracket (majority)",
    "occupation (majority)",
    "rated items, changed rows: P / R",
    "rated items, direction: P / R",
    "chance P (base rate)",
    "released tables: membership TPR / FPR (DP bound)",
    "released tables: direction P / R",
  ];
  const lines = [row(header), row(header.map(() => "---"))];
  for (const s of settings) {
    for (const r of s.reports) {
      const items: ItemInference = r.round === 1 ? r.items.latestUpload : r.items.allUploads;
      lines.push(
        row([
          s.name,
          String(r.round),
          r.profileCosine.fromInit === null
            ? "not sent"
            : `${fixed(r.profileCosine.fromInit)} / ${r.profileCosine.consecutive === null ? "–" : fixed(r.profileCosine.consecutive)}`,
          ...ATTRIBUTES.map((a) => {
            const score = r.attributes[a];
            return score ? `${fixed(score.accuracy)} (${fixed(score.majority)})` : "–";
          }),
          `${fixed(items.changed.precision)} / ${fixed(items.changed.recall)}`,
          `${fixed(items.direction.precision)} / ${fixed(items.direction.recall)}`,
          fixed(r.itemBaseRate),
          ...releasedCells(r),
        ]),
      );
    }
  }
  return lines.join("\n") + "\n";
}

/** The released-table observer's membership test (5 % false-positive target) and latest-round item guess. */
function releasedCells(r: AttackRoundReport): [string, string] {
  const released = r.releasedTable;
  if (!released) return ["–", "–"];
  const { truePositiveRate, falsePositiveRate } = released.membership;
  const bound = released.membershipTprBound === null ? "no DP" : fixed(released.membershipTprBound);
  const { precision, recall } = released.items.direction;
  return [`${fixed(truePositiveRate)} / ${fixed(falsePositiveRate)} (${bound})`, `${fixed(precision)} / ${fixed(recall)}`];
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function fixed(x: number): string {
  return x.toFixed(3);
}
