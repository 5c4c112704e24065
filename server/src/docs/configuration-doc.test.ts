import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../cli/dataset-location.ts";
import { configurationDoc } from "./configuration-doc.ts";

describe("docs/configuration.md", () => {
  it("is the rendering of the current schema (run `npm run docs:config` after changing it)", () => {
    expect(readFileSync(join(REPO_ROOT, "docs", "configuration.md"), "utf8")).toBe(configurationDoc());
  });
});
