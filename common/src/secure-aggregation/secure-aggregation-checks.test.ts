/** Every malformed, misplaced or tampered message is refused with its code, and changes nothing. */
import { randomBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { SecureAggregationClient } from "./secure-aggregation-client.ts";
import { SecureAggregationServer } from "./secure-aggregation-server.ts";
import type { MaskedInput, ShareDelivery, UnmaskingMessage } from "./messages.ts";

const PLAN = { session: "round 1 group 0", clients: [1, 2, 3, 4, 5], threshold: 4, vectorLength: 16 };
const input = (id: number) => Uint32Array.from({ length: PLAN.vectorLength }, (_, k) => id * 1000 + k);

async function sharedKeys(plan = PLAN) {
  const server = new SecureAggregationServer(plan);
  const clients = new Map(plan.clients.map((id) => [id, new SecureAggregationClient(id, plan.session, randomBytes)]));
  for (const c of clients.values()) server.receiveKeys(c.advertiseKeys());
  const roster = server.closeAdvertising();
  for (const c of clients.values()) server.receiveShares(await c.shareKeys(roster));
  return { server, clients, roster, deliveries: server.closeSharing() };
}

async function maskedInputs() {
  const state = await sharedKeys();
  const masked = new Map<number, MaskedInput>();
  for (const [id, c] of state.clients) masked.set(id, c.maskInput(state.deliveries.get(id), input(id)));
  return { ...state, masked };
}

function expectedSum(ids: readonly number[]): number[] {
  const sum = new Uint32Array(PLAN.vectorLength);
  for (const id of ids) input(id).forEach((v, k) => (sum[k] += v));
  return Array.from(sum);
}

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] ^= 1;
  return copy;
}

describe("the server refuses bad key advertisements", () => {
  it("wrong key sizes, strangers, repeats and copied keys; the session then completes unchanged", async () => {
    const server = new SecureAggregationServer(PLAN);
    const clients = PLAN.clients.map((id) => new SecureAggregationClient(id, PLAN.session, randomBytes));
    const keys = clients.map((c) => c.advertiseKeys());
    const first = keys[0]!;
    const refused: [unknown, string, RegExp][] = [
      [{ ...first, maskKey: first.maskKey.subarray(1) }, "malformed", /^key advertisement\.maskKey: expected 32 bytes, got 31$/],
      [{ ...first, extra: 1 }, "malformed", /unexpected field\(s\) extra/],
      [{ ...first, client: 9 }, "unknown-client", /client 9, which is not expected/],
      [{ ...first, client: -1 }, "malformed", /client: expected an integer in \[0, 4294967295\], got -1/],
      ["keys", "malformed", /expected an object/],
    ];
    for (const [message, code, text] of refused) {
      expect(() => server.receiveKeys(message)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(text) }));
    }
    server.receiveKeys(first);
    expect(() => server.receiveKeys(first)).toThrow(expect.objectContaining({ code: "duplicate" }));
    expect(() => server.receiveKeys({ ...keys[1]!, maskKey: first.maskKey })).toThrow(/already in use/);
    for (const k of keys.slice(1)) server.receiveKeys(k);
    const roster = server.closeAdvertising();
    for (const c of clients) server.receiveShares(await c.shareKeys(roster));
    const deliveries = server.closeSharing();
    clients.forEach((c) => server.receiveMaskedInput(c.maskInput(deliveries.get(c.client), input(c.client))));
    const { survivors } = server.closeMaskedInputs();
    clients.forEach((c) => server.receiveUnmasking(c.unmask({ survivors })));
    expect(Array.from((await server.closeUnmasking()).sum)).toEqual(expectedSum(PLAN.clients));
  });
});

describe("a client refuses a roster it cannot trust", () => {
  async function rosterFor(client: SecureAggregationClient) {
    const others = [2, 3, 4, 5].map((id) => new SecureAggregationClient(id, PLAN.session, randomBytes).advertiseKeys());
    return { session: PLAN.session, threshold: 4, keys: [client.advertiseKeys(), ...others] };
  }
  const cases: [string, (r: Awaited<ReturnType<typeof rosterFor>>) => unknown, string][] = [
    ["of another session", (r) => ({ ...r, session: "round 2 group 0" }), "wrong-phase"],
    ["with a threshold the server alone could meet with half the group", (r) => ({ ...r, threshold: 2 }), "too-few-clients"],
    ["without the client's own keys", (r) => ({ ...r, keys: r.keys.slice(1) }), "malformed"],
    ["naming a client twice", (r) => ({ ...r, keys: [...r.keys, r.keys[1]] }), "malformed"],
  ];
  for (const [name, alter, code] of cases) {
    it(name, async () => {
      const client = new SecureAggregationClient(1, PLAN.session, randomBytes);
      await expect(client.shareKeys(alter(await rosterFor(client)))).rejects.toMatchObject({ code });
    });
  }
});

describe("the server refuses bad share-keys messages", () => {
  it("a missing envelope, an envelope to a stranger, a sender outside U1", async () => {
    const server = new SecureAggregationServer(PLAN);
    const clients = PLAN.clients.map((id) => new SecureAggregationClient(id, PLAN.session, randomBytes));
    for (const c of clients.slice(0, 4)) server.receiveKeys(c.advertiseKeys());
    const roster = server.closeAdvertising();
    const message = await clients[0]!.shareKeys(roster);
    expect(() => server.receiveShares({ ...message, envelopes: message.envelopes.slice(1) })).toThrow(/lacks client\(s\) 2/);
    const stranger = { ...message, envelopes: [...message.envelopes.slice(1), { ...message.envelopes[0]!, to: 5 }] };
    expect(() => server.receiveShares(stranger)).toThrow(expect.objectContaining({ code: "unknown-client" }));
    expect(() => server.receiveShares({ ...message, client: 5 })).toThrow(/client 5, which is not expected/);
    expect(() => server.receiveMaskedInput({ client: 1, masked: input(1) })).toThrow(/at share-keys, not masked-input/);
    server.receiveShares(message);
  });
});

describe("a client refuses shares the server altered", () => {
  const alterations: [string, (d: ShareDelivery) => ShareDelivery][] = [
    [
      "a flipped ciphertext bit",
      (d) => ({ envelopes: d.envelopes.map((e, i) => (i === 0 ? { ...e, envelope: flipped(e.envelope, 40) } : e)) }),
    ],
    [
      "an envelope claimed to come from another sender",
      (d) => ({ envelopes: d.envelopes.map((e, i) => (i < 2 ? { ...e, from: d.envelopes[1 - i]!.from } : e)) }),
    ],
  ];
  for (const [name, alter] of alterations) {
    it(name, async () => {
      const { clients, deliveries } = await sharedKeys();
      const client = clients.get(3)!;
      expect(() => client.maskInput(alter(deliveries.get(3)!), input(3))).toThrow(
        expect.objectContaining({ code: "decryption-failed" }),
      );
      // The client has aborted: even the genuine delivery gets no masked input out of it now.
      expect(() => client.maskInput(deliveries.get(3)!, input(3))).toThrow(
        /client 3 aborted the session after a refused message/,
      );
    });
  }

  it("an envelope sealed for another recipient", async () => {
    const { clients, deliveries } = await sharedKeys();
    const forFour = deliveries.get(4)!.envelopes.find((e) => e.from === 1)!;
    const rerouted = { envelopes: deliveries.get(3)!.envelopes.map((e) => (e.from === 1 ? forFour : e)) };
    expect(() => clients.get(3)!.maskInput(rerouted, input(3))).toThrow(/from client 1 to client 3 failed authentication/);
  });

  it("an envelope replayed from another session", async () => {
    const earlier = await sharedKeys();
    const { clients, deliveries } = await sharedKeys({ ...PLAN, session: "round 2 group 0" });
    const replayed = { envelopes: [earlier.deliveries.get(3)!.envelopes[0]!, ...deliveries.get(3)!.envelopes.slice(1)] };
    expect(() => clients.get(3)!.maskInput(replayed, input(3))).toThrow(expect.objectContaining({ code: "decryption-failed" }));
  });
});

describe("the server refuses bad masked inputs", () => {
  it("wrong length, wrong type, outside U2, twice; accepted inputs still sum exactly", async () => {
    const server = new SecureAggregationServer(PLAN);
    const clients = new Map(PLAN.clients.map((id) => [id, new SecureAggregationClient(id, PLAN.session, randomBytes)]));
    for (const c of clients.values()) server.receiveKeys(c.advertiseKeys());
    const roster = server.closeAdvertising();
    for (const id of [1, 2, 3, 4]) server.receiveShares(await clients.get(id)!.shareKeys(roster)); // 5 vanishes
    const deliveries = server.closeSharing();
    const masked = [1, 2, 3, 4].map((id) => clients.get(id)!.maskInput(deliveries.get(id), input(id)));
    const m = masked[0]!;
    expect(() => server.receiveMaskedInput({ ...m, masked: m.masked.subarray(1) })).toThrow(
      /^masked input\.masked: expected 16 entries \(the table's\), got 15$/,
    );
    expect(() => server.receiveMaskedInput({ ...m, masked: new Float32Array(16) })).toThrow(/expected a Uint32Array/);
    expect(() => server.receiveMaskedInput({ ...m, client: 5 })).toThrow(expect.objectContaining({ code: "unknown-client" }));
    for (const x of masked) server.receiveMaskedInput(x);
    expect(() => server.receiveMaskedInput(m)).toThrow(expect.objectContaining({ code: "duplicate" }));
    const { survivors } = server.closeMaskedInputs();
    for (const id of survivors) server.receiveUnmasking(clients.get(id)!.unmask({ survivors }));
    expect(Array.from((await server.closeUnmasking()).sum)).toEqual(expectedSum([1, 2, 3, 4]));
  });
});

describe("unmasking reveals one share per peer, once, and checks what it reconstructs", () => {
  it("a client answers one survivor list only, so the server cannot ask for both shares of a peer", async () => {
    const { clients } = await maskedInputs();
    const client = clients.get(1)!;
    client.unmask({ survivors: [1, 2, 3, 4, 5] });
    expect(() => client.unmask({ survivors: [1, 2, 3, 4] })).toThrow(expect.objectContaining({ code: "wrong-phase" }));
  });

  it("a client refuses a survivor list that leaves it out, names a stranger or is below t", async () => {
    for (const [survivors, code] of [
      [[2, 3, 4, 5], "unknown-client"],
      [[1, 2, 3, 9], "unknown-client"],
      [[1, 2, 3], "too-few-clients"],
    ] as const) {
      const { clients } = await maskedInputs();
      expect(() => clients.get(1)!.unmask({ survivors })).toThrow(expect.objectContaining({ code }));
    }
  });

  it("the server refuses an unmasking message that reveals the wrong kind of share for a peer", async () => {
    const { server, clients, masked } = await maskedInputs();
    for (const id of [1, 2, 3, 4]) server.receiveMaskedInput(masked.get(id)); // 5's input never arrives
    const { survivors } = server.closeMaskedInputs();
    const honest = clients.get(1)!.unmask({ survivors });
    expect(honest.maskKeyShares.map((s) => s.owner)).toEqual([5]);
    const greedy: UnmaskingMessage = {
      ...honest,
      selfMaskShares: [...honest.selfMaskShares, { owner: 5, share: honest.maskKeyShares[0]!.share }],
    };
    expect(() => server.receiveUnmasking(greedy)).toThrow(/self-mask shares names client 5, not expected/);
    expect(() => server.receiveUnmasking({ ...honest, maskKeyShares: [] })).toThrow(/mask-key shares lacks client\(s\) 5/);
  });

  it("refuses an unmasking message that arrives while the shares are being combined; the sum is unaffected", async () => {
    const { server, clients, masked } = await maskedInputs();
    for (const id of PLAN.clients) server.receiveMaskedInput(masked.get(id));
    const { survivors } = server.closeMaskedInputs();
    for (const id of [1, 2, 3, 4]) server.receiveUnmasking(clients.get(id)!.unmask({ survivors }));
    const closing = server.closeUnmasking();
    expect(() => server.receiveUnmasking(clients.get(5)!.unmask({ survivors }))).toThrow(/is at reconstructing, not unmasking/);
    expect(Array.from((await closing).sum)).toEqual(expectedSum(PLAN.clients));
  });

  for (const kind of ["selfMaskShares", "maskKeyShares"] as const) {
    it(`a corrupted ${kind === "selfMaskShares" ? "self-mask" : "mask-key"} share fails the session instead of yielding a wrong sum`, async () => {
      const { server, clients, masked } = await maskedInputs();
      for (const id of [1, 2, 3, 4]) server.receiveMaskedInput(masked.get(id));
      const { survivors } = server.closeMaskedInputs();
      const [first, ...rest] = survivors.map((id) => clients.get(id)!.unmask({ survivors }));
      const corrupted = first![kind].map((s, i) => (i === 0 ? { ...s, share: flipped(s.share, 3) } : s));
      server.receiveUnmasking({ ...first!, [kind]: corrupted });
      for (const message of rest) server.receiveUnmasking(message);
      await expect(server.closeUnmasking()).rejects.toMatchObject({
        code: "reconstruction-failed",
        message: expect.stringMatching(
          kind === "selfMaskShares" ? /self-mask seed does not match its commitment/ : /mask key does not match its public key/,
        ),
      });
      await expect(server.closeUnmasking()).rejects.toMatchObject({
        code: "wrong-phase",
        message: expect.stringMatching(/failed/),
      });
    });
  }
});
