/**
 * The results of `npm run baselines`: the JSON written as baselines.json, the mean ± standard
 * deviation over seeds (population std, ÷ n, as in benchmarks/run-benchmarks.ts) and report.md.
 */
import type { BaselineOutcome, DatasetInfo, EpochRecord, FederationConfig, RankingMetrics } from "@fedrec/common";

export interface SeedRun {
  readonly seed: number;
  readonly outcomes: readonly BaselineOutcome[];
  /** The centralised model's learning curve (null when it did not run). */
  readonly modelEpochs: readonly EpochRecord[] | null;
}

export interface Spread {
  readonly mean: number;
  readonly std: number;
}

export interface MetricSpread {
  readonly hr10: Spread;
  readonly ndcg10: Spread;
}

export interface MethodSummary {
  readonly method: string;
  readonly label: string;
  readonly val: MetricSpread;
  readonly test: MetricSpread;
  /** Test after refitting on train + validation (null when the method has none). */
  readonly testRefit: MetricSpread | null;
  /** The chosen hyper-parameter per seed, e.g. "λ 500, 500, 1000". */
  readonly chosen: string;
}

export interface BaselinesResult {
  readonly dataset: DatasetInfo;
  readonly protocol: string;
  readonly options: {
    readonly seeds: readonly number[];
    readonly methods: readonly string[];
    readonly k: number;
    readonly lambdas: readonly number[];
    readonly epochs: number;
  };
  /** The configuration the centralised model ran with (seed: the first run's). */
  readonly modelConfig: FederationConfig | null;
  readonly runs: readonly SeedRun[];
  readonly summary: readonly MethodSummary[];
}

export const METHOD_LABELS: Readonly<Record<string, string>> = {
  popularity: "Popularity",
  "item-knn": "ItemKNN (cosine)",
  ease: "EASE",
  model: "Centralised model",
};

export function spread(xs: readonly number[]): Spread {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length) };
}

function metricSpread(ms: readonly RankingMetrics[]): MetricSpread {
  return { hr10: spread(ms.map((m) => m.hr10)), ndcg10: spread(ms.map((m) => m.ndcg10)) };
}

function chosenText(outcome: BaselineOutcome): string {
  const p = outcome.parameters;
  if (p["lambda"] !== undefined) return `λ ${p["lambda"]}`;
  if (p["bestEpoch"] !== undefined) {
    const diverged = p["divergedAt"] !== undefined ? ` (NaN at ${p["divergedAt"]})` : "";
    return `epoch ${p["bestEpoch"]}/${p["epochs"]}${diverged}`;
  }
  if (p["k"] !== undefined) return `k ${p["k"]}`;
  return "";
}

export function summariseRuns(runs: readonly SeedRun[]): MethodSummary[] {
  const methods = [...new Set(runs.flatMap((r) => r.outcomes.map((o) => o.method)))];
  return methods.map((method) => {
    const outcomes = runs.map((r) => r.outcomes.find((o) => o.method === method)!);
    const refits = outcomes.map((o) => o.testRefit);
    const chosen =
      [...new Set(outcomes.map(chosenText))].length === 1 ? chosenText(outcomes[0]!) : outcomes.map(chosenText).join(", ");
    return {
      method,
      label: METHOD_LABELS[method] ?? method,
      val: metricSpread(outcomes.map((o) => o.val)),
      test: metricSpread(outcomes.map((o) => o.test)),
      testRefit: refits.every((m) => m !== null) ? metricSpread(refits as RankingMetrics[]) : null,
      chosen,
    };
  });
}

const fmt = (s: Spread) => `${s.mean.toFixed(4)} ± ${s.std.toFixed(4)}`;
const f4 = (x: number) => x.toFixed(4);

/** The summary as a Markdown table (mean ± std over seeds). */
export function summaryTable(summary: readonly MethodSummary[]): string {
  const rows = summary.map((s) =>
    [
      s.label,
      fmt(s.val.hr10),
      fmt(s.test.hr10),
      fmt(s.test.ndcg10),
      s.testRefit ? fmt(s.testRefit.hr10) : "—",
      s.testRefit ? fmt(s.testRefit.ndcg10) : "—",
      s.chosen || "—",
    ].join(" | "),
  );
  return [
    "| method | val HR@10 | test HR@10 | test NDCG@10 | test HR@10, refit on train+val | test NDCG@10, refit | chosen |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r} |`),
  ].join("\n");
}

function perSeedTable(runs: readonly SeedRun[]): string {
  const rows = runs.flatMap((run) =>
    run.outcomes.map((o) => {
      const refit = o.testRefit ? [f4(o.testRefit.hr10), f4(o.testRefit.ndcg10)] : ["—", "—"];
      const cells = [run.seed, METHOD_LABELS[o.method] ?? o.method, f4(o.val.hr10), f4(o.val.ndcg10), f4(o.test.hr10)];
      return `| ${[...cells, f4(o.test.ndcg10), ...refit, chosenText(o) || "—", o.seconds.toFixed(1)].join(" | ")} |`;
    }),
  );
  return [
    "| seed | method | val HR@10 | val NDCG@10 | test HR@10 | test NDCG@10 | refit HR@10 | refit NDCG@10 | chosen | seconds |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

function easeTrialsTable(runs: readonly SeedRun[]): string | null {
  const trials = runs.map((r) => ({ seed: r.seed, trials: r.outcomes.find((o) => o.method === "ease")?.trials }));
  const first = trials[0]?.trials;
  if (!first) return null;
  const head = `| seed | ${first.map((t) => `λ ${t.lambda}`).join(" | ")} |`;
  const rule = `| --- | ${first.map(() => "---").join(" | ")} |`;
  const rows = trials.map((t) => `| ${t.seed} | ${(t.trials ?? []).map((x) => f4(x.val.hr10)).join(" | ")} |`);
  return [head, rule, ...rows].join("\n");
}

function learningCurves(runs: readonly SeedRun[]): string | null {
  const withModel = runs.filter((r) => r.modelEpochs !== null);
  if (withModel.length === 0) return null;
  const head = `| epoch | ${withModel.map((r) => `seed ${r.seed}: loss · val HR@10 · test HR@10`).join(" | ")} |`;
  const rule = `| --- | ${withModel.map(() => "---").join(" | ")} |`;
  const epochs = Math.max(...withModel.map((r) => r.modelEpochs!.length));
  const rows = Array.from({ length: epochs }, (_, e) => {
    const cells = withModel.map((r) => {
      const x = r.modelEpochs![e];
      return x ? `${x.loss.toFixed(4)} · ${f4(x.val.hr10)} · ${f4(x.test.hr10)}` : "";
    });
    return `| ${e + 1} | ${cells.join(" | ")} |`;
  });
  return [head, rule, ...rows].join("\n");
}

export function markdownReport(result: BaselinesResult): string {
  const d = result.dataset;
  const o = result.options;
  const sections = [
    `# Centralised baselines: ${d.name}`,
    `${d.users} users, ${d.items} items, ${d.interactions} interactions; seeds ${o.seeds.join(", ")}; ` +
      `random HR@10 ≈ ${d.randomHr10.toFixed(3)}.`,
    `Protocol: ${result.protocol}`,
    `## Mean ± std over seeds (population std)\n\n${summaryTable(result.summary)}`,
    `## Per seed\n\n${perSeedTable(result.runs)}`,
  ];
  const ease = easeTrialsTable(result.runs);
  if (ease) sections.push(`## EASE: validation HR@10 per λ\n\n${ease}`);
  const curves = learningCurves(result.runs);
  if (curves) sections.push(`## Centralised model: learning curves (${o.epochs} epochs)\n\n${curves}`);
  return sections.join("\n\n") + "\n";
}
