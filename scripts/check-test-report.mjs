// Fails the test command when the runner executed no test, and prints the closing line CI reads:
// "tests: N passed, N failed". Reads vitest's JSON report (path in argv[2]).
import { readFileSync } from "node:fs";

const path = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(path, "utf8"));
} catch (error) {
  console.error(`check-test-report: cannot read the test report ${path}: ${error.message}`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed + failed === 0) {
  console.error("check-test-report: no test ran — treating this as a failure");
  process.exit(1);
}
process.exit(failed > 0 || report.success === false ? 1 : 0);
