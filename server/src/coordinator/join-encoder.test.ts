/**
 * The encoder at join, over real sockets: a client whose profile was embedded with another
 * encoder (other pooling, other model files) is refused with `encoder-mismatch`, and the label a
 * client gives at join names it on the dashboard.
 */
import { afterEach, describe, expect, it } from "vitest";
import { bagOfWordsIdentity } from "@fedrec/common/testing";
import { CODE, JOIN_TOKEN, TEST_PROFILE_DIM, startTestCoordinator, testWorld } from "../testing/live-federation.ts";
import { RawClient } from "../testing/raw-client.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the encoder at join", () => {
  it("refuses a client with another pooling, other weights or other model files as encoder-mismatch, naming both encoders", async () => {
    const world = await testWorld(2, { pooling: "mean" }, 30);
    const coordinator = await startTestCoordinator(world);
    cleanups.push(() => coordinator.close());
    const client = await new RawClient(coordinator.url).connected();
    cleanups.push(() => client.close());
    const join = { code: CODE, token: JOIN_TOKEN, numItems: world.dataset.numItems, profileDim: TEST_PROFILE_DIM };

    const cls = await client.join({ ...join, clientId: "client-cls1", encoder: { ...world.encoder, pooling: "cls" } });
    expect(cls).toMatchObject({ ok: false, code: "encoder-mismatch" });
    expect((cls as { message: string }).message).toMatch(
      /^federation TEST42: this federation embeds profiles with test\/bag-of-words \(int8 weights, mean pooling, 32 dimensions, .*\); the client used test\/bag-of-words \(int8 weights, cls pooling, 32 dimensions, .*\) \(pooling differs\)/,
    );
    const fp32 = { ...world.encoder, precision: "fp32" as const };
    expect(await client.join({ ...join, clientId: "client-fp32", encoder: fp32 })).toMatchObject({
      ok: false,
      code: "encoder-mismatch",
      message: expect.stringMatching(/the client used test\/bag-of-words \(fp32 weights, .*\(precision differs\)/),
    });
    const otherFiles = { ...bagOfWordsIdentity(64), dimension: TEST_PROFILE_DIM };
    expect(await client.join({ ...join, clientId: "client-sum1", encoder: otherFiles })).toMatchObject({
      ok: false,
      code: "encoder-mismatch",
      message: expect.stringMatching(/\(checksum differs\)/),
    });
    const federation = coordinator.find(CODE)!;
    expect(federation.status().rejected).toEqual({ "encoder-mismatch": 3 });
    expect(federation.clientStates()).toEqual([]); // refused joins register nobody

    const welcome = await client.join({ ...join, clientId: "client-good", encoder: world.encoder, label: "synthetic user 7" });
    expect(welcome).toMatchObject({ clientId: "client-good", catalogue: { encoder: world.encoder } });
    expect(federation.clientStates()).toMatchObject([{ clientId: "client-good", slot: 0, label: "synthetic user 7" }]);
  });
});
