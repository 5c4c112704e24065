// The closing check of `npm run test:unit` and `npm run test:e2e` on the reports vitest and
// Playwright write: a skipped test (the real-MovieLens test without the files) is counted as
// skipped and does not fail the suite; a run in which no test ran, or one failed, does.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("./check-test-report.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "check-test-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(report) {
  const path = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(report));
  const { status, stdout, stderr } = spawnSync(process.execPath, [script, path], { encoding: "utf8" });
  return { status, output: stdout + stderr };
}

/** A vitest JSON report's counters (as vitest 4 writes them; its test results omitted). */
const vitest = (passed, failed, skipped) => ({
  numTotalTests: passed + failed + skipped,
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: skipped,
  numTodoTests: 0,
  success: failed === 0,
  testResults: [],
});

describe("check-test-report", () => {
  it("passes the whole suite with one test skipped, and counts it as skipped", () => {
    expect(check(vitest(281, 0, 1))).toEqual({ status: 0, output: "tests: 281 passed, 0 failed, 1 skipped\n" });
  });

  it("fails a run in which no test ran, even when one was skipped", () => {
    const { status, output } = check(vitest(0, 0, 1));
    expect(status).toBe(1);
    expect(output).toContain("no test ran");
  });

  it("fails a run with a failed test, and an unreadable report", () => {
    expect(check(vitest(280, 1, 1)).status).toBe(1);
    expect(check({ ...vitest(281, 0, 0), success: false }).status).toBe(1);
    expect(spawnSync(process.execPath, [script, join(dir, "missing.json")]).status).toBe(1);
  });

  it("reads Playwright's report the same way", () => {
    const playwright = (expected, unexpected, skipped) => ({ stats: { expected, unexpected, flaky: 0, skipped } });
    expect(check(playwright(3, 0, 1))).toEqual({ status: 0, output: "tests: 3 passed, 0 failed, 1 skipped\n" });
    expect(check(playwright(2, 1, 0)).status).toBe(1);
    expect(check(playwright(0, 0, 2)).status).toBe(1);
  });
});
