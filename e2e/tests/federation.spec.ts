/**
 * Real browsers against a real coordinator: three client pages with their own persona data and
 * profiles, plus the dashboard, run a federation; everything the client pages send is audited.
 */
import { expect, test } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { joinWithPersona, recordOutgoing, type SentRecord } from "./client-page.ts";
import { startCoordinator } from "./coordinator-process.ts";

const ROUNDS = 4;
const PERSONAS = [20, 21, 22];
const JOIN_KEYS = ["protocol", "code", "token", "clientId", "secret", "numItems", "profileDim", "encoder", "label"];
const UPLOAD_KEYS = ["round", "clientId", "userWeights", "rows", "values", "numExamples", "loss", "metrics"];

interface SocketEvent {
  readonly name: string;
  readonly payload: unknown;
}

/** socket.io event packets in a client's text frames ("42[…]", "451-[…]", with namespace/ack id). */
function socketEvents(sent: readonly SentRecord[]): SocketEvent[] {
  return sent
    .filter((s) => s.kind === "websocket-text")
    .map((s) => /^4([25])(?:\d+-)?(?:\/[^,]*,)?\d*(\[.*)$/s.exec(s.data as string))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const [name, payload] = JSON.parse(m[2]!) as [string, unknown];
      return { name, payload };
    });
}

test("three browser pages federate, the dashboard follows, and only weights leave the devices", async ({ browser }, testInfo) => {
  test.setTimeout(240_000);
  const coordinator = await startCoordinator("EEE111", [
    // The text graph (θ_user uploaded), so the dashboard's graph has edges to draw.
    ...["--users", "40", "--items-count", "60", "--demo-clients", "9", "--manual-start", "--preset", "text-graph"],
    ...[
      "--set",
      `rounds=${ROUNDS}`,
      "--set",
      "localEpochs=2",
      "--set",
      "minClientsToStart=12",
      "--set",
      "roundDeadlineSeconds=30",
    ],
  ]);
  try {
    const dir = testInfo.outputPath("personas");
    const pages = [];
    // Training engines: TensorFlow.js with the default backend (wasm first), tfjs on cpu chosen by
    // query parameter, and the shared core kernel.
    const backends = [null, "cpu", "core"];
    const engines = ["tfjs-wasm", "tfjs-cpu", "core"];
    for (const [i, user] of PERSONAS.entries()) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const sent = recordOutgoing(page);
      const personaPath = await coordinator.personaFile(user, dir);
      const persona = JSON.parse(await readFile(personaPath, "utf8")) as { profileText: string };
      const link = backends[i] ? `${coordinator.joinLink}&backend=${backends[i]}` : coordinator.joinLink;
      await joinWithPersona(page, link, personaPath);
      // The page says what leaves it under this federation's settings: here θ_user too.
      await expect(page.getByTestId("what-leaves")).toContainText("Your profile text and your ratings stay on this device.");
      await expect(page.getByTestId("what-leaves")).toContainText(
        "your user layer θ_user, from which the coordinator can recover the embedding of your profile text",
      );
      await expect(page.getByTestId("engine")).toHaveText(engines[i]!);
      await expect(page.getByTestId("persona")).toContainText(`user`);
      pages.push({ page, sent, profileText: persona.profileText });
    }

    const dashboard = await (await browser.newContext()).newPage();
    await dashboard.goto(coordinator.adminLink);
    await expect(dashboard.getByTestId("connected")).toHaveText("12");
    await expect(dashboard.getByTestId("qr")).toBeVisible();
    await dashboard.getByTestId("start").click();
    await expect(dashboard.getByTestId("completed")).toHaveText(String(ROUNDS), { timeout: 120_000 });
    await expect(dashboard.getByTestId("phase")).toHaveText("finished");
    await expect(dashboard.getByTestId("best-round")).toContainText("at round");

    for (const { page } of pages) {
      await expect(page.getByTestId("round")).toHaveText(String(ROUNDS));
      await expect(page.getByTestId("epochs")).toHaveText(String(2 * ROUNDS)); // progress shown per local epoch
      await expect(page.getByTestId("recommendations").locator("li")).toHaveCount(10);
      await expect(page.getByTestId("local-metrics")).toContainText("HR@10");
      await expect(page.getByTestId("federation-metrics")).toContainText(`after round ${ROUNDS}`);
      // After the run the top 10 come from the best-validation round's table.
      await expect(page.getByTestId("best-round")).toContainText("the round with the best validation HR@10");
    }
    await expect(dashboard.getByTestId("clients").locator("tbody tr")).toHaveCount(12);
    // Clients are listed by the labels they gave at join (demo clients and persona pages alike).
    await expect(dashboard.getByTestId("clients").locator("tbody tr").first()).toContainText("client 0 · synthetic user 1");
    await expect(dashboard.getByTestId("clients")).toContainText(`synthetic user ${PERSONAS[0]! + 1}`);
    // Settings: k is offered for top-k only, and Apply sends only what changed — a dense graph is
    // accepted (sending k with it would be refused as a contradiction).
    await expect(dashboard.getByTestId("k")).toBeVisible();
    await dashboard.getByTestId("neighbourhood").selectOption("dense");
    await expect(dashboard.getByTestId("k")).toHaveCount(0);
    await dashboard.getByTestId("global-update").selectOption("mean");
    await dashboard.getByTestId("apply").click();
    await expect(dashboard.getByTestId("settings-answer")).toHaveText("done");
    expect((await coordinator.admin<{ config: object }>("/rounds")).config).toMatchObject({
      neighbourhood: { kind: "dense" },
      globalUpdate: "mean",
    });
    for (const chart of ["chart-loss", "chart-hr", "chart-ndcg", "chart-participants", "chart-bytes"]) {
      // One point per round.
      const point = String.raw`-?[\d.]+,-?[\d.]+`;
      await expect(dashboard.getByTestId(chart).locator("polyline").first()).toHaveAttribute(
        "points",
        new RegExp(`^${point}( ${point}){${ROUNDS - 1}}$`),
      );
    }
    // Axes with values: the HR@10 chart labels rounds 1..ROUNDS and names each series' latest value.
    const hrChart = dashboard.getByTestId("chart-hr");
    for (let round = 1; round <= ROUNDS; round++)
      await expect(hrChart.locator("svg text.x-tick", { hasText: new RegExp(`^${round}$`) })).toHaveCount(1);
    await expect(dashboard.getByTestId("chart-hr-val")).toHaveText(/^■ val: 0(\.\d+)?$|^■ val: 1$/);
    // The last round's user graph: 12 participants with their top 10 (self included), drawn as a
    // node-link picture — one labelled dot per participant, one line per undirected neighbour pair.
    const graph = await coordinator.admin<{ participants: string[]; edges: [number, number, number][] }>("/graph");
    expect(graph.participants).toHaveLength(12);
    expect(graph.edges).toHaveLength(12 * 10);
    const pairs = new Set(graph.edges.filter(([i, j]) => i !== j).map(([i, j]) => (i < j ? `${i},${j}` : `${j},${i}`)));
    await expect(dashboard.getByTestId("graph-node")).toHaveCount(12);
    await expect(dashboard.getByTestId("graph").locator("line")).toHaveCount(pairs.size);
    await expect(dashboard.getByTestId("graph")).toContainText(`synthetic user ${PERSONAS[0]! + 1}`);
    // End-of-lesson picture: the charts and the graph as one PNG.
    const [png] = await Promise.all([dashboard.waitForEvent("download"), dashboard.getByTestId("export-png").click()]);
    const pngBytes = await readFile(await png.path());
    expect([...pngBytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(pngBytes.length).toBeGreaterThan(20_000); // six drawn figures, not a blank canvas

    // Metrics rise: every round aggregated all 12 clients, and the mean local loss fell.
    const { rounds } = await coordinator.admin<{
      rounds: { aggregated: number; loss: number; metrics: { val: { hr10: number } } }[];
    }>("/rounds");
    expect(rounds.map((r) => r.aggregated)).toEqual(Array(ROUNDS).fill(12));
    expect(rounds.at(-1)!.loss).toBeLessThan(rounds[0]!.loss);

    // "Why these recommendations", worked out on the page: each of the top 10 names rated items.
    for (const { page } of pages) await expect(page.getByTestId("why")).toHaveCount(10);
    await expect(pages[0]!.page.getByTestId("why").first()).toContainText("because you rated");
    await pages[0]!.page.screenshot({ path: testInfo.outputPath("client.png"), fullPage: true });
    await dashboard.screenshot({ path: testInfo.outputPath("dashboard.png"), fullPage: true });

    // Privacy audit of everything the client pages sent.
    for (const { sent, profileText } of pages) {
      const events = socketEvents(sent);
      expect(events.map((e) => e.name).filter((n) => n === "upload")).toHaveLength(ROUNDS);
      for (const { name, payload } of events) {
        expect(["join", "upload"]).toContain(name);
        const keys = Object.keys(payload as object).sort();
        expect(keys).toEqual([...(name === "join" ? JOIN_KEYS : UPLOAD_KEYS)].sort());
        if (name === "upload") {
          const p = payload as Record<string, unknown>;
          for (const binary of ["userWeights", "rows", "values"]) expect(p[binary]).toMatchObject({ _placeholder: true });
          expect(Object.keys(p.metrics as object).sort()).toEqual(["test", "val"]);
        }
      }
      const profileBytes = Buffer.from(profileText, "utf8");
      for (const record of sent) {
        if (record.kind === "request") {
          expect(record.url.startsWith(coordinator.origin) || /^(data|blob):/.test(record.url), record.url).toBe(true);
          continue;
        }
        const bytes = typeof record.data === "string" ? Buffer.from(record.data) : record.data;
        expect(bytes.includes(profileBytes), "profile text sent").toBe(false);
        const text = bytes.toString("latin1");
        for (const word of ["profileText", "interactions", "rating", "timestamp", "persona"])
          expect(text.includes(`"${word}"`), word).toBe(false);
      }
    }
  } finally {
    coordinator.stop();
  }
});

test("a reloaded page resumes with the same id, a closed page does not stall the federation, a lost coordinator is shown, and leaving deletes the data", async ({
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  const coordinator = await startCoordinator("EEE222", [
    ...["--users", "40", "--items-count", "60", "--demo-clients", "4", "--manual-start"],
    ...["--set", "rounds=6", "--set", "minClientsToStart=4", "--set", "roundDeadlineSeconds=3", "--set", "quorum=0.5"],
  ]);
  try {
    const dir = testInfo.outputPath("personas");
    const stay = await (await browser.newContext()).newPage();
    const leave = await (await browser.newContext()).newPage();
    await joinWithPersona(stay, coordinator.joinLink, await coordinator.personaFile(30, dir));
    await joinWithPersona(leave, coordinator.joinLink, await coordinator.personaFile(31, dir));
    const id = await stay.getByTestId("client-id").textContent();

    await fetch(`${coordinator.origin}/api/federations/EEE222/control`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer admin-eee222-token" },
      body: JSON.stringify({ action: "start" }),
    });
    await expect(stay.getByTestId("round")).not.toHaveText("0", { timeout: 30_000 });
    await leave.close(); // gone, maybe mid-round: deadline + quorum carry on without it

    await stay.reload();
    await expect(stay.getByTestId("client-id")).toHaveText(id!);
    await expect(stay.getByTestId("embedding-state")).toHaveText("embedded on this device ✓");
    // It re-joins by itself and trains again in a later round.
    await expect(stay.getByTestId("round")).not.toHaveText("0", { timeout: 60_000 });

    await expect
      .poll(async () => (await coordinator.admin<{ rounds: unknown[] }>("/rounds")).rounds.length, { timeout: 90_000 })
      .toBe(6);
    const clients = await coordinator.admin<{ clientId: string }[]>("/clients");
    expect(clients.filter((c) => c.clientId === id)).toHaveLength(1); // the reload did not create a second client

    // The coordinator goes away: the page says so and keeps trying.
    coordinator.stop();
    await expect(stay.getByTestId("offline")).toBeVisible({ timeout: 20_000 });
    await expect(stay.getByTestId("phase-detail")).toContainText(/reconnecting|Cannot reach the coordinator/);

    // Leave and delete: data, model and identity are gone from the device.
    await stay.getByTestId("leave").click();
    await expect(stay.getByTestId("notice")).toContainText("were deleted from this device");
    await expect(stay.getByTestId("rating-count")).toHaveText("0");
    await expect(stay.getByTestId("embedding-state")).toHaveText("not embedded yet");
    await expect(stay.getByTestId("client-id")).not.toHaveText(id!);
    const stored = await stay.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open("fedrec-live", 1);
          open.onsuccess = () => {
            const count = open.result.transaction("clients").objectStore("clients").count();
            count.onsuccess = () => resolve(count.result);
            count.onerror = () => reject(count.error);
          };
          open.onerror = () => reject(open.error);
        }),
    );
    expect(stored).toBe(0); // nothing left in IndexedDB
  } finally {
    coordinator.stop();
  }
});

test("clear messages for a wrong code, a wrong token, and an unreachable coordinator", async ({ page }) => {
  const coordinator = await startCoordinator("EEE333", ["--users", "10", "--items-count", "20"]);
  try {
    await page.goto(`${coordinator.origin}/?code=NOSUCH&token=whatever-token`);
    await expect(page.getByTestId("fatal")).toContainText('No federation has the code "NOSUCH"');
    await page.goto(`${coordinator.origin}/?code=EEE333&token=wrong-token-123`);
    await expect(page.getByTestId("fatal")).toContainText("token is not valid");
    await page.goto(`${coordinator.origin}/`);
    await expect(page.getByTestId("fatal")).toContainText("no federation code");
    await page.goto(`${coordinator.origin}/admin?code=EEE333&token=wrong-admin-token`);
    await expect(page.getByTestId("error")).toContainText("admin token is wrong");
  } finally {
    coordinator.stop();
  }
});
