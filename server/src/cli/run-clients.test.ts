/**
 * `npm run clients` adopts the federation's encoder: against a federation whose configuration
 * pools "cls" with fp32 weights (both not the defaults), the fleet embeds with MiniLM's CLS pooling
 * on the fp32 graph, names that encoder at join, is accepted, and trains.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, generateSyntheticDataset, resolveConfig } from "@fedrec/common";
import { Coordinator } from "../coordinator/coordinator.ts";
import { createMiniLmEncoder, MINILM_DIMENSION } from "../encoder/minilm-encoder.ts";
import { miniLmIdentity } from "../encoder/model-identity.ts";
import { waitUntil } from "../testing/live-federation.ts";
import { parseClientsArgs } from "./clients-args.ts";
import { prepareClients } from "./run-clients.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("npm run clients", () => {
  it("embeds with the federation's pooling and weights (cls, fp32 here), is accepted, and trains", async () => {
    const dataset = generateSyntheticDataset({}); // what --dataset synthetic loads
    const config = resolveConfig(DEFAULT_CONFIG, {
      pooling: "cls",
      encoderPrecision: "fp32",
      rounds: 1,
      minClientsToStart: 3,
      evalNegatives: 19,
    });
    const coordinator = await Coordinator.start({
      port: 0,
      database: ":memory:",
      tickMs: 20,
      log: () => {},
      federations: [
        {
          code: "CLS123",
          joinToken: "cls-join-token",
          catalogue: {
            dataset: dataset.name,
            numItems: dataset.numItems,
            profileDim: MINILM_DIMENSION,
            encoder: await miniLmIdentity("cls", "fp32"),
          },
          config,
        },
      ],
    });
    cleanups.push(() => coordinator.close());
    const lines: string[] = [];
    const options = parseClientsArgs(["--url", `${coordinator.url}/?code=CLS123&token=cls-join-token`, "--count", "3"]);
    const run = await prepareClients(options, (line) => lines.push(line));
    cleanups.push(() => run.fleet.close());
    expect(run.encoder).toEqual(await miniLmIdentity("cls", "fp32"));
    expect(lines[0]).toMatch(/^3 clients of synthetic.*profiles embedded with Xenova\/all-MiniLM-L6-v2:cls$/);
    const cls = await createMiniLmEncoder("cls", "fp32").encode(run.users.map((u) => dataset.users[u]!.profileText));
    expect(run.users.map((u) => run.profiles[u])).toEqual(cls);

    await run.fleet.connect();
    const federation = coordinator.find("CLS123")!;
    await waitUntil(() => federation.phase === "finished", 30_000, "1 round");
    expect(federation.history[0]).toMatchObject({ round: 1, aggregated: 3 });
    expect(lines.filter((l) => /encoder-mismatch/.test(l))).toEqual([]);
    expect(federation.clientStates().map((c) => c.label)).toEqual(["synthetic user 1", "synthetic user 2", "synthetic user 3"]);
  });
});
