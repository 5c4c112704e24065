// End-to-end tests in real Chromium (the system's /usr/bin/chromium: Playwright's own browser
// download is unavailable here). Each test starts its own coordinator process (e2e/tests/
// coordinator-process.ts), so tests share no state.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "e2e/tests",
  outputDir: "test-results/e2e",
  workers: 1,
  timeout: 120_000,
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
});
