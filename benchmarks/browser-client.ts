/**
 * Browser client benchmark in headless Chromium: model load, profile embedding and one local round
 * on ML-100K (the heaviest user: the most ratings), cold (first visit) and warm (reload, model in
 * the browser's cache), and the bytes each visit transferred.
 *
 *   npx tsx benchmarks/browser-client.ts [--backend wasm|webgl|cpu|core] [--precision int8|fp32] [--out DIR]
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { chromium, type Page } from "@playwright/test";
import { REPO_ROOT } from "../server/src/cli/dataset-location.ts";
import { loadCliDataset } from "../server/src/cli/load-cli-dataset.ts";
import { listeningOrigin } from "../server/src/testing/coordinator-cli.ts";

const { values } = parseArgs({
  options: { out: { type: "string" }, backend: { type: "string" }, precision: { type: "string" } },
});
const backendParam = values.backend ? `&backend=${values.backend}` : "";
const OUT = resolve(values.out ?? join(REPO_ROOT, "results", `bench-browser-${new Date().toISOString().replace(/[:.]/g, "-")}`));
await mkdir(OUT, { recursive: true });

const dataset = await loadCliDataset({
  dataset: "ml-100k",
  datasetDir: null,
  csv: { interactions: null, profiles: null, items: null },
  synthetic: { numUsers: null, numItems: null },
});
const heaviest = dataset.users.reduce(
  (best, u, i) => (u.interactions.length > dataset.users[best]!.interactions.length ? i : best),
  0,
);

const child = spawn(
  process.execPath,
  [
    ...[
      "--import",
      "tsx",
      "server/src/bin/coordinator.ts",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--db",
      ":memory:",
      "--dataset",
      "ml-100k",
    ],
    ...["--code", "BRW001", "--join-token", "bench-join-token", "--admin-token", "bench-admin-token", "--manual-start"],
    ...["--set", "minClientsToStart=1", "--set", "rounds=3", "--set", "roundDeadlineSeconds=120"],
    ...["--set", `encoderPrecision=${values.precision ?? "int8"}`],
  ],
  { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] },
);
const origin = await listeningOrigin(child);
const admin = (path: string, body?: unknown) =>
  fetch(`${origin}/api/federations/BRW001${path}`, {
    method: body ? "POST" : "GET",
    headers: { authorization: "Bearer bench-admin-token", "content-type": "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
const personaPath = join(OUT, "persona.json");
await writeFile(personaPath, JSON.stringify(await (await admin(`/personas/${heaviest}`)).json()));

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const context = await browser.newContext();
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send("Network.enable");
let transferred = 0;
cdp.on("Network.loadingFinished", (e: { encodedDataLength: number }) => (transferred += e.encodedDataLength));
const ms = async (p: Page, id: string) => {
  await p.getByTestId(id).filter({ hasNotText: "–" }).waitFor({ timeout: 120_000 });
  return Number(await p.getByTestId(id).textContent());
};

// Cold: first visit.
await page.goto(`${origin}/?code=BRW001&token=bench-join-token${backendParam}`);
await page.getByTestId("persona-file").setInputFiles(personaPath);
const cold = { modelLoadMs: await ms(page, "t-model"), embedMs: await ms(page, "t-embed"), roundMs: 0, transferredBytes: 0 };
await page.getByTestId("join").click();
await page.getByTestId("phase").filter({ hasText: "joined" }).waitFor();
await admin("/control", { action: "start" });
cold.roundMs = await ms(page, "t-round");
cold.transferredBytes = transferred;
console.log(`cold visit: ${JSON.stringify(cold)}`);

// Warm: reload (the model files come from the browser's cache), embed again, next round. Round 2
// may open (and close) before the pause lands, so the run has 3 rounds: one is left for this visit.
await admin("/control", { action: "pause" });
transferred = 0;
await page.reload();
await page.getByTestId("save-profile").click();
const warm = { modelLoadMs: await ms(page, "t-model"), embedMs: await ms(page, "t-embed"), roundMs: 0, transferredBytes: 0 };
await admin("/control", { action: "start" });
warm.roundMs = await ms(page, "t-round");
warm.transferredBytes = transferred;

const report = {
  date: new Date().toISOString(),
  browser: `Chromium ${browser.version()} headless`,
  engine: await page.getByTestId("engine").textContent(),
  encoderPrecision: values.precision ?? "int8",
  user: { index: heaviest, ratings: dataset.users[heaviest]!.interactions.length },
  cold,
  warm,
  warmEmbedPlusRoundMs: warm.embedMs + warm.roundMs,
};
await writeFile(join(OUT, "browser-report.json"), JSON.stringify(report, null, 2) + "\n");
console.log(JSON.stringify(report, null, 2));
await browser.close();
child.kill("SIGTERM");
const exited = await Promise.race([
  new Promise((r) => child.once("exit", () => r(true))),
  new Promise((r) => setTimeout(() => r(false), 5000)),
]);
if (!exited) {
  console.error("the coordinator did not exit within 5 s of SIGTERM; killing it");
  child.kill("SIGKILL");
}
