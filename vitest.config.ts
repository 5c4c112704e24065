import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["common/src/**/*.test.ts", "server/src/**/*.test.ts", "web-client/src/**/*.test.ts", "scripts/**/*.test.mjs"],
    testTimeout: 60_000,
  },
});
