/**
 * A classroom of real browsers: N Chromium pages (contexts of one browser, so each has its own
 * storage and cache, as separate devices would) open the join link, each choose a nickname, load a
 * different ML-100K persona, embed it with the int8 MiniLM on the page and join; the dashboard
 * watches; the teacher presses Start. Reported per page: the time from opening the link to its
 * profile embedding and to its first top 10 (from the table in its welcome, before any training),
 * and from Start to its first top 10 after a round it trained itself; the coordinator's round
 * times, CPU and memory.
 * Not part of `npm test` (minutes of CPU); screenshots of the dashboard and of one page land in --out.
 *
 *   npm run build && npx tsx benchmarks/classroom-browsers.ts [--pages 30] [--rounds 5] [--parallel 5] [--out DIR]
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { chromium, type Browser, type Page } from "@playwright/test";
import { REPO_ROOT } from "../server/src/cli/dataset-location.ts";
import { listeningOrigin } from "../server/src/testing/coordinator-cli.ts";

const { values } = parseArgs({
  options: { pages: { type: "string" }, rounds: { type: "string" }, parallel: { type: "string" }, out: { type: "string" } },
});
const PAGES = Number(values.pages ?? 30);
const ROUNDS = Number(values.rounds ?? 5);
/** Pages loading and embedding at once (a class does not arrive in one millisecond either). */
const PARALLEL = Number(values.parallel ?? 5);
const OUT = resolve(values.out ?? join(REPO_ROOT, "results", `bench-classroom-${PAGES}`));
await mkdir(OUT, { recursive: true });
const CODE = "CLASS1";
const now = () => performance.now();

const child = spawn(
  process.execPath,
  [
    ...["--import", "tsx", "server/src/bin/coordinator.ts", "--host", "127.0.0.1", "--port", "0", "--db", ":memory:"],
    ...[
      "--dataset",
      "ml-100k",
      "--classroom",
      "--code",
      CODE,
      "--join-token",
      "class-join-token",
      "--admin-token",
      "class-admin-token",
    ],
    ...["--rounds", String(ROUNDS), "--set", `minClientsToStart=${PAGES}`],
  ],
  { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] },
);
const origin = await listeningOrigin(child);
const admin = async <T>(path: string, body?: unknown): Promise<T> => {
  const response = await fetch(`${origin}/api/federations/${CODE}${path}`, {
    method: body ? "POST" : "GET",
    headers: { authorization: "Bearer class-admin-token", "content-type": "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await response.json()) as T;
};

/** The coordinator process's CPU seconds (user + system) and resident memory, from /proc. */
function coordinatorUsage(): { cpuSeconds: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]); // utime, stime (fields 14, 15)
  const rssPages = Number(stat[21]);
  return { cpuSeconds: ticks / 100, rssMiB: (rssPages * 4096) / 2 ** 20 };
}
let peakRssMiB = 0;
const sampler = setInterval(() => (peakRssMiB = Math.max(peakRssMiB, coordinatorUsage().rssMiB)), 500);

const browser: Browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"],
});
const joinLink = `${origin}/?code=${CODE}&token=class-join-token`;

interface Student {
  readonly index: number;
  readonly page: Page;
  readonly embeddedMs: number;
  readonly recommendationsMs: number;
  trainedRecommendationsMs: number | null;
}

const topTen = (page: Page) => page.getByTestId("recommendations").locator("li").nth(9);

async function arrive(index: number): Promise<Student> {
  const page = await (await browser.newContext()).newPage();
  const t0 = now();
  const personaPath = join(OUT, `persona-${index}.json`);
  await writeFile(personaPath, JSON.stringify(await admin(`/personas/${index}`)));
  await page.goto(joinLink);
  await page.getByTestId("nickname").fill(`student ${index + 1}`);
  await page.getByTestId("nickname").blur();
  await page.getByTestId("persona-file").setInputFiles(personaPath);
  await page.getByTestId("embedding-state").filter({ hasText: "embedded on this device" }).waitFor({ timeout: 600_000 });
  const embeddedMs = now() - t0;
  await page.getByTestId("join").click();
  await topTen(page).waitFor({ timeout: 600_000 });
  return { index, page, embeddedMs, recommendationsMs: now() - t0, trainedRecommendationsMs: null };
}

const t0 = now();
const students: Student[] = [];
for (let start = 0; start < PAGES; start += PARALLEL) {
  const batch = [...Array(Math.min(PARALLEL, PAGES - start)).keys()].map((k) => start + k);
  students.push(...(await Promise.all(batch.map(arrive))));
  console.log(`${students.length}/${PAGES} pages embedded and joined (${((now() - t0) / 1000).toFixed(0)} s)`);
}
const dashboard = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
await dashboard.goto(`${origin}/admin?code=${CODE}&token=class-admin-token`);
await dashboard
  .getByTestId("connected")
  .filter({ hasText: String(PAGES) })
  .waitFor({ timeout: 120_000 });
const joinedSeconds = (now() - t0) / 1000;

const cpuBefore = coordinatorUsage().cpuSeconds;
const started = now();
await dashboard.getByTestId("start").click();
await Promise.all(
  students.map(async (s) => {
    await s.page
      .getByTestId("round")
      .filter({ hasText: /^[1-9]\d*$/ })
      .waitFor({ timeout: 900_000 });
    await topTen(s.page).waitFor();
    s.trainedRecommendationsMs = now() - started;
  }),
);
await dashboard
  .getByTestId("completed")
  .filter({ hasText: String(ROUNDS) })
  .waitFor({ timeout: 900_000 });
const runSeconds = (now() - started) / 1000;
const cpuSeconds = coordinatorUsage().cpuSeconds - cpuBefore;
clearInterval(sampler);
await dashboard.getByTestId("graph-node").first().waitFor();
await dashboard.screenshot({ path: join(OUT, "dashboard.png"), fullPage: true });
await students[0]!.page.screenshot({ path: join(OUT, "client.png"), fullPage: true });

const { rounds } = await admin<{
  rounds: { round: number; aggregated: number; seconds: { total: number; aggregate: number } }[];
}>("/rounds");
const quantiles = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { min: s[0]!, median: q(0.5), p90: q(0.9), max: s.at(-1)! };
};
const seconds = (ms: number) => Number((ms / 1000).toFixed(1));
const report = {
  date: new Date().toISOString(),
  machine: "2 shared cores (other helpers' jobs running), 24 GiB",
  browser: `Chromium ${browser.version()} headless, ${PAGES} contexts of one browser`,
  pages: PAGES,
  parallelArrivals: PARALLEL,
  allJoinedSeconds: Number(joinedSeconds.toFixed(1)),
  openToEmbeddedSeconds: quantiles(students.map((s) => s.embeddedMs)),
  openToFirstTopTenSeconds: quantiles(students.map((s) => s.recommendationsMs)),
  startToTrainedTopTenSeconds: quantiles(students.map((s) => s.trainedRecommendationsMs!)),
  rounds: rounds.map((r) => ({
    round: r.round,
    aggregated: r.aggregated,
    seconds: r.seconds.total,
    aggregate: r.seconds.aggregate,
  })),
  runSeconds: Number(runSeconds.toFixed(1)),
  coordinator: {
    cpuSecondsDuringRounds: Number(cpuSeconds.toFixed(1)),
    cpuShare: Number((cpuSeconds / runSeconds).toFixed(2)),
    peakRssMiB: Math.round(peakRssMiB),
  },
};
for (const key of ["openToEmbeddedSeconds", "openToFirstTopTenSeconds", "startToTrainedTopTenSeconds"] as const) {
  const q = report[key];
  report[key] = { min: seconds(q.min), median: seconds(q.median), p90: seconds(q.p90), max: seconds(q.max) };
}
await writeFile(join(OUT, "classroom-report.json"), JSON.stringify(report, null, 2) + "\n");
console.log(JSON.stringify(report, null, 2));
await browser.close();
child.kill("SIGTERM");
