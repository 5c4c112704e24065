/**
 * A lesson driven from the dashboard, in real Chromium: the teacher steps one round, removes a
 * student, resets the federation (the remaining student's page starts over and trains again), runs
 * it to the end — and a student who arrives after the last round still gets a top 10 from the
 * best round's table. The nickname a student chooses names them on the dashboard's graph.
 */
import { expect, test } from "@playwright/test";
import { joinWithPersona } from "./client-page.ts";
import { startCoordinator } from "./coordinator-process.ts";

test("step, remove, reset and a late arrival, from the dashboard", async ({ browser }, testInfo) => {
  test.setTimeout(240_000);
  const coordinator = await startCoordinator("LESSON", [
    ...["--users", "30", "--items-count", "50", "--classroom"],
    ...["--rounds", "3", "--set", "minClientsToStart=1", "--set", "roundDeadlineSeconds=30"],
  ]);
  try {
    const dir = testInfo.outputPath("personas");
    const [ada, bob] = [await (await browser.newContext()).newPage(), await (await browser.newContext()).newPage()];
    for (const [page, nickname, user] of [
      [ada, "Ada", 3],
      [bob, "Bob", 4],
    ] as const) {
      await page.goto(coordinator.joinLink);
      await page.getByTestId("persona-file").setInputFiles(await coordinator.personaFile(user, dir));
      await expect(page.getByTestId("embedding-state")).toHaveText("embedded on this device ✓", { timeout: 60_000 });
      await page.getByTestId("nickname").fill(nickname);
      await page.getByTestId("nickname").blur();
      await page.getByTestId("join").click();
    }
    const dashboard = await (await browser.newContext()).newPage();
    dashboard.on("dialog", (dialog) => void dialog.accept());
    await dashboard.goto(coordinator.adminLink);
    await expect(dashboard.getByTestId("connected")).toHaveText("2");
    await expect(dashboard.getByTestId("phase")).toHaveText("paused"); // --classroom waits for the teacher

    // Next round: exactly one, then paused; both students are on the graph by nickname (the default
    // builds no graph: θ_user stays on the devices, and the dashboard says so).
    await dashboard.getByTestId("step").click();
    await expect(dashboard.getByTestId("completed")).toHaveText("1", { timeout: 60_000 });
    await expect(dashboard.getByTestId("phase")).toHaveText("paused");
    await expect(dashboard.getByTestId("graph-node")).toHaveCount(2);
    await expect(dashboard.getByTestId("graph")).toContainText("Ada");
    await expect(dashboard.getByTestId("graph")).toContainText("Bob");
    await expect(dashboard.getByTestId("no-graph-note")).toContainText("builds no user graph");

    // Remove Bob: his page is told, and stays out.
    await dashboard.getByTestId("clients").locator("tr", { hasText: "Bob" }).getByRole("button", { name: "remove" }).click();
    await expect(bob.getByTestId("notice")).toContainText("kicked", { timeout: 10_000 });
    await expect(dashboard.getByTestId("connected")).toHaveText("1");

    // Reset: rounds gone, Ada's page starts over and trains again from round 1.
    await dashboard.getByTestId("reset").click();
    await expect(dashboard.getByTestId("completed")).toHaveText("0");
    await expect(ada.getByTestId("round")).toHaveText("0");
    await expect(ada.getByTestId("notice")).toContainText("restarted");
    await dashboard.getByTestId("start").click();
    await expect(dashboard.getByTestId("phase")).toHaveText("finished", { timeout: 90_000 });
    await expect(ada.getByTestId("round")).toHaveText("3");
    const rounds = (await coordinator.admin<{ rounds: { aggregated: number }[] }>("/rounds")).rounds;
    expect(rounds.map((r) => r.aggregated)).toEqual([1, 1, 1]);

    // A late arrival: joins after the last round and still gets a top 10, from the best round.
    const late = await (await browser.newContext()).newPage();
    await joinWithPersona(late, coordinator.joinLink, await coordinator.personaFile(5, dir));
    await expect(late.getByTestId("recommendations").locator("li")).toHaveCount(10);
    await expect(late.getByTestId("best-round")).toContainText("the round with the best validation HR@10");
    await dashboard.screenshot({ path: testInfo.outputPath("dashboard-lesson.png"), fullPage: true });
  } finally {
    coordinator.stop();
  }
});
