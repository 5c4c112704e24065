import { afterEach, describe, expect, it } from "vitest";
import { parseCoordinatorArgs } from "./coordinator-args.ts";
import { serve, type Serving } from "./serve.ts";
import { waitUntil } from "../testing/live-federation.ts";

let serving: Serving | null = null;
afterEach(async () => {
  await serving?.close();
  serving = null;
});

describe("npm start --demo-clients", () => {
  it("prints the join code and links, and runs a federation of MiniLM-embedded headless clients at once", async () => {
    const lines: string[] = [];
    const options = parseCoordinatorArgs(
      ["--port", "0", "--host", "127.0.0.1", "--db", ":memory:", "--demo-clients", "6", "--rounds", "2", "--code", "DEMO42"],
      {},
    );
    serving = await serve(options, (line) => lines.push(line));
    const text = lines.join("\n");
    expect(text).toMatch(/federation DEMO42: 50 items of synthetic/);
    expect(text).toMatch(/join link {2}http:\/\/127\.0\.0\.1:\d+\/\?code=DEMO42&token=[\w-]{8,}/);
    expect(text).toMatch(/admin {6}http:\/\/127\.0\.0\.1:\d+\/admin\?code=DEMO42&token=[\w-]{8,}/);
    expect(text).toMatch(/6 demo clients joined .*all-MiniLM-L6-v2/);
    const federation = serving.coordinator.find("DEMO42")!;
    await waitUntil(() => federation.phase === "finished", 30_000, "2 rounds");
    // All demo clients were in before round 1 opened.
    expect(federation.history.map((h) => [h.round, h.aggregated])).toEqual([
      [1, 6],
      [2, 6],
    ]);
    expect(lines.filter((l) => /^\[DEMO42\] round \d\/2 · 6\/6 clients/.test(l))).toHaveLength(2);
  });
});
