// Fails the test command when the runner executed no test, and prints the closing line CI reads:
// "tests: N passed, N failed". Reads vitest's or Playwright's JSON report (path in argv[2]).
import { readFileSync } from "node:fs";

const path = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(path, "utf8"));
} catch (error) {
  console.error(`check-test-report: cannot read the test report ${path}: ${error.message}`);
  process.exit(1);
}
// Playwright: stats.expected / unexpected / flaky / skipped; vitest: numPassedTests / numFailedTests.
const playwright = report.stats !== undefined && report.numPassedTests === undefined;
const passed = playwright ? report.stats.expected + report.stats.flaky : (report.numPassedTests ?? 0);
const failed = playwright ? report.stats.unexpected : (report.numFailedTests ?? 0);
const skipped = playwright ? report.stats.skipped : (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (playwright) report.success = failed === 0;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed + failed === 0) {
  console.error("check-test-report: no test ran — treating this as a failure");
  process.exit(1);
}
process.exit(failed > 0 || report.success === false ? 1 : 0);
