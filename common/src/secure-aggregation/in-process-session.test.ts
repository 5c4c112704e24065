import { randomBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.ts";
import { runSessionInProcess, type SecureAggregationPhase } from "./in-process-session.ts";
import { thresholdFor } from "./group-plan.ts";
import { parseMaskedInput } from "./messages.ts";

const CLIENTS = [3, 8, 11, 20, 21, 40, 42]; // t = 5: up to 2 may drop
const LENGTH = 257;

function inputs(seed: number): Map<number, Uint32Array> {
  const rng = createRng(seed);
  return new Map(CLIENTS.map((id) => [id, Uint32Array.from({ length: LENGTH }, () => rng.int(2 ** 32))]));
}

function plainSum(all: ReadonlyMap<number, Uint32Array>, clients: readonly number[]): Uint32Array {
  const sum = new Uint32Array(LENGTH);
  for (const id of clients) all.get(id)!.forEach((v, k) => (sum[k] += v));
  return sum;
}

async function run(dropsBefore: ReadonlyMap<number, SecureAggregationPhase>, seed = 1) {
  const all = inputs(seed);
  const plan = { session: `test ${seed}`, clients: CLIENTS, threshold: thresholdFor(CLIENTS.length), vectorLength: LENGTH };
  return { all, outcome: await runSessionInProcess({ plan, inputs: all, randomBytes, dropsBefore }) };
}

describe("secure aggregation in process", () => {
  it("with nobody dropping, the unmasked sum is exactly the sum of the inputs mod 2^32", async () => {
    const { all, outcome } = await run(new Map());
    expect(thresholdFor(CLIENTS.length)).toBe(5);
    expect(outcome.survivors).toEqual(CLIENTS);
    expect(Array.from(outcome.sum)).toEqual(Array.from(plainSum(all, CLIENTS)));
  });

  it("its server inbox sees each message the server receives, by phase: one per client still present", async () => {
    const all = inputs(2);
    const plan = { session: "inbox", clients: CLIENTS, threshold: thresholdFor(CLIENTS.length), vectorLength: LENGTH };
    const seen: [SecureAggregationPhase, unknown][] = [];
    await runSessionInProcess({
      plan,
      inputs: all,
      randomBytes,
      dropsBefore: new Map([[20, "masked-input"]]),
      serverInbox: (phase, message) => seen.push([phase, message]),
    });
    const count = (phase: SecureAggregationPhase) => seen.filter(([p]) => p === phase).length;
    expect([count("advertise"), count("share-keys"), count("masked-input"), count("unmasking")]).toEqual([7, 7, 6, 6]);
    // What the inbox sees of client 3's input is the masked vector, not the input.
    const maskedInputs = seen.filter(([p]) => p === "masked-input").map(([, m]) => parseMaskedInput(m, LENGTH));
    const ofClient3 = maskedInputs.find((m) => m.client === 3)!;
    expect(ofClient3.masked).toHaveLength(LENGTH);
    expect(Array.from(ofClient3.masked)).not.toEqual(Array.from(all.get(3)!));
  });

  const cases: [string, [number, SecureAggregationPhase][], number[]][] = [
    ["one client before advertising", [[11, "advertise"]], [3, 8, 20, 21, 40, 42]],
    ["one client before sharing keys", [[40, "share-keys"]], [3, 8, 11, 20, 21, 42]],
    ["one client before its masked input (its pairwise masks are reconstructed)", [[3, "masked-input"]], [8, 11, 20, 21, 40, 42]],
    ["one client before unmasking (its input still counts)", [[42, "unmasking"]], CLIENTS],
    [
      "two clients before advertising",
      [
        [3, "advertise"],
        [40, "advertise"],
      ],
      [8, 11, 20, 21, 42],
    ],
    [
      "two clients before sharing keys",
      [
        [11, "share-keys"],
        [21, "share-keys"],
      ],
      [3, 8, 20, 40, 42],
    ],
    [
      "two clients before their masked inputs",
      [
        [3, "masked-input"],
        [42, "masked-input"],
      ],
      [8, 11, 20, 21, 40],
    ],
    [
      "two clients before unmasking",
      [
        [8, "unmasking"],
        [21, "unmasking"],
      ],
      CLIENTS,
    ],
    [
      "one before sharing, one before its input",
      [
        [8, "share-keys"],
        [20, "masked-input"],
      ],
      [3, 11, 21, 40, 42],
    ],
    [
      "one before its input, one before unmasking",
      [
        [20, "masked-input"],
        [21, "unmasking"],
      ],
      [3, 8, 11, 21, 40, 42],
    ],
  ];
  for (const [name, drops, survivors] of cases) {
    it(`recovers the survivors' exact sum with ${name}`, async () => {
      const { all, outcome } = await run(new Map(drops), drops.length + survivors.length);
      expect(outcome.survivors).toEqual(survivors);
      expect(Array.from(outcome.sum)).toEqual(Array.from(plainSum(all, survivors)));
    });
  }

  const tooMany: [SecureAggregationPhase, RegExp][] = [
    ["advertise", /only 4 of 7 clients advertised their keys; the threshold is 5/],
    ["share-keys", /only 4 of 7 clients shared their keys/],
    ["masked-input", /only 4 of 7 clients sent masked inputs/],
    ["unmasking", /only 4 of 7 clients sent their shares/],
  ];
  for (const [phase, message] of tooMany) {
    it(`fails cleanly, with no sum, when three of seven vanish before ${phase}`, async () => {
      const drops = new Map<number, SecureAggregationPhase>([
        [3, phase],
        [20, phase],
        [42, phase],
      ]);
      await expect(run(drops)).rejects.toMatchObject({ code: "too-few-clients", message: expect.stringMatching(message) });
    });
  }

  it("counts every client's bytes and splits the time between clients and server", async () => {
    const all = inputs(1);
    const plan = { session: "traffic", clients: CLIENTS, threshold: 5, vectorLength: LENGTH };
    let tick = 0;
    const outcome = await runSessionInProcess({ plan, inputs: all, randomBytes, clock: () => tick++ });
    const n = CLIENTS.length;
    // keys 4 + 64 B; shares 4 + 32 + (n − 1)·(4 + 106) B; masked 4 + 4L; unmasking 4 + n·(4 + 33) B
    expect(outcome.traffic.up).toBe(n * (68 + 36 + (n - 1) * 110 + 4 + 4 * LENGTH + 4 + n * 37));
    // Each timed step reads the clock twice (one tick): 4 rounds per client; 4 receives per client and 4 closes.
    expect(outcome.seconds).toEqual({ clients: 4 * n, server: 4 * n + 4 });
  });
});
