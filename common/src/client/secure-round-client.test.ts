import { randomBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { isErrorReply, type ErrorReply } from "../protocol/protocol-error.ts";
import { parseSecaggFrame, secaggFrame, type SecaggClientEvent, type SecaggFrame } from "../protocol/secure-aggregation-wire.ts";
import { dequantiseSum, fixedPointScale } from "../secure-aggregation/fixed-point.ts";
import { SecureAggregationClient } from "../secure-aggregation/secure-aggregation-client.ts";
import { SecureAggregationServer } from "../secure-aggregation/secure-aggregation-server.ts";
import { maskedBodyFromWire } from "../protocol/secure-aggregation-wire.ts";
import { SecureRoundClient } from "./secure-round-client.ts";

const ITEM_DIM = 2;
const TABLE = Float32Array.of(0, 0, 1, 1, 2, 2); // three items

/** A SecureRoundClient (client 0) whose messages are kept, decoded as the coordinator decodes them. */
function participant(clipNorm: number | null = null) {
  const sent: { event: SecaggClientEvent; body: unknown }[] = [];
  const errors: ErrorReply[] = [];
  const client = new SecureRoundClient({
    send: async (event: SecaggClientEvent, frame: SecaggFrame) => {
      const decoded = parseSecaggFrame(frame, event);
      if (isErrorReply(decoded)) throw new Error(decoded.message);
      sent.push({ event, body: decoded.body });
      return { ok: true, round: frame.round };
    },
    randomBytes,
    itemDim: ITEM_DIM,
    clipNorm,
    error: (error) => void errors.push(error),
  });
  return { client, sent, errors };
}

const flush = () => Promise.resolve();
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await flush();
}

/**
 * One session of three: the participant under test (client 0) and two of the core's clients whose
 * change is zero, through a real SecureAggregationServer. The participant gets its delivery and
 * its weight before its trained change, and must not mask before it has all three. Returns the
 * decoded sum: c·Δ of the participant alone.
 */
async function sessionSum(
  p: ReturnType<typeof participant>,
  change: { readonly rows: Int32Array; readonly values: Float32Array },
  coefficient: number,
): Promise<Float64Array> {
  const { client, sent } = p;
  const server = new SecureAggregationServer({ session: "s", clients: [0, 1, 2], threshold: 3, vectorLength: TABLE.length });
  const others = [1, 2].map((id) => new SecureAggregationClient(id, "s", randomBytes));
  client.begin(1, { session: "s", client: 0 });
  await settle();
  expect(sent.map((m) => m.event)).toEqual(["secagg:keys"]); // at once, before any training
  server.receiveKeys(sent[0]!.body);
  for (const other of others) server.receiveKeys(other.advertiseKeys());
  const roster = server.closeAdvertising();
  await client.roster(secaggFrame(1, "s", roster));
  server.receiveShares(sent[1]!.body);
  for (const other of others) server.receiveShares(await other.shareKeys(roster));
  const deliveries = server.closeSharing();
  client.delivery(secaggFrame(1, "s", deliveries.get(0)));
  const scale = fixedPointScale(4, [coefficient, 0.25, 0.25]);
  client.weight(secaggFrame(1, "s", { coefficient, scale, range: 4 }));
  await settle();
  expect(sent).toHaveLength(2); // no trained change yet: nothing to mask
  client.trained(1, { base: TABLE, ...change });
  await settle();
  expect(sent.map((m) => m.event)).toEqual(["secagg:keys", "secagg:share-keys", "secagg:masked"]);
  server.receiveMaskedInput(maskedBodyFromWire(sent[2]!.body, "secagg:masked"));
  others.forEach((other, i) => server.receiveMaskedInput(other.maskInput(deliveries.get(i + 1), new Uint32Array(TABLE.length))));
  const survivors = server.closeMaskedInputs();
  await client.survivors(secaggFrame(1, "s", survivors));
  server.receiveUnmasking(sent[3]!.body);
  for (const other of others) server.receiveUnmasking(other.unmask(survivors));
  return dequantiseSum((await server.closeUnmasking()).sum, scale);
}

describe("a participant's side of a live secure round", () => {
  it("sends its keys at once, masks only once delivery, weight and trained change are all in, and its sum decodes to c·Δ", async () => {
    const p = participant();
    const decoded = await sessionSum(p, { rows: Int32Array.of(1), values: Float32Array.of(1.5, 0.5) }, 0.5);
    const expected = [0, 0, 0.5 * 0.5, 0.5 * -0.5, 0, 0]; // c = 0.5 times row 1's change (+0.5, −0.5)
    decoded.forEach((x, k) => expect(x).toBeCloseTo(expected[k]!, 8));
    expect(p.errors).toEqual([]);
  });

  it("clips the change to uploadClipNorm on the device before encoding it", async () => {
    const decoded = await sessionSum(participant(0.1), { rows: Int32Array.of(0), values: Float32Array.of(3, 4) }, 1); // norm 5
    expect([...decoded]).toEqual([expect.closeTo(0.06, 8), expect.closeTo(0.08, 8), 0, 0, 0, 0]); // (3, 4) scaled to norm 0.1
  });

  it("reports a roster it cannot trust and frames it cannot read, and ignores a session it is not in", async () => {
    const { client, sent, errors } = participant();
    client.begin(2, { session: "mine", client: 0 });
    await settle();
    await client.roster(secaggFrame(2, "another", { session: "another", threshold: 1, keys: [] }));
    expect(errors).toEqual([]); // a leftover of another attempt: ignored
    await client.roster(secaggFrame(2, "mine", { session: "mine", threshold: 1, keys: [] }));
    expect(errors.at(-1)).toMatchObject({ code: "malformed", message: expect.stringMatching(/^secagg:share-keys: /) });
    client.weight({ round: 2, session: "mine" });
    expect(errors.at(-1)).toMatchObject({ code: "malformed", message: expect.stringMatching(/^secagg:weight/) });
    client.weight(secaggFrame(2, "mine", { coefficient: 1, scale: -1, range: 4 }));
    expect(errors.at(-1)).toMatchObject({ code: "malformed", message: expect.stringMatching(/expected a scale > 0/) });
    expect(sent.map((m) => m.event)).toEqual(["secagg:keys"]); // nothing more went up
  });
});
