/**
 * Secure aggregation in a real browser: two client pages and four demo clients federate with
 * `secureAggregation` on, and everything the first page sends is audited — its uploads carry no
 * item rows, and the only table-sized payload is its masked input, which looks nothing like a
 * change of a few rows. The second page is cut off between the phases of round 1 (after its
 * key shares went out and came back, as its masked input leaves): the coordinator reconstructs its
 * pairwise masks from the others' shares and the federation still finishes.
 */
import { expect, test, type Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { joinWithPersona, recordOutgoing, type SentRecord } from "./client-page.ts";
import { startCoordinator } from "./coordinator-process.ts";

const ROUNDS = 2;
const SECAGG_EVENTS = ["secagg:keys", "secagg:share-keys", "secagg:masked", "secagg:unmasking"];

interface SentEvent {
  readonly name: string;
  readonly payload: Record<string, unknown>;
  /** Placeholders in the packet (its binary attachments). */
  readonly placeholders: number;
  /** The binary frames that followed it. Chromium reports no zero-length frame, so empty attachments are missing here. */
  readonly attachments: readonly Buffer[];
}

/** socket.io event packets the page sent ("42[…]", "45N-id[…]" followed by its binary frames). */
function sentEvents(sent: readonly SentRecord[]): SentEvent[] {
  const frames = sent.filter((s) => s.kind === "websocket-text" || s.kind === "websocket-binary");
  const events: SentEvent[] = [];
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i]!;
    if (frame.kind !== "websocket-text") continue;
    const m = /^4([25])(?:(\d+)-)?(?:\/[^,]*,)?\d*(\[.*)$/s.exec(frame.data as string);
    if (!m) continue;
    const placeholders = Number(m[2] ?? 0);
    const attachments: Buffer[] = [];
    while (attachments.length < placeholders && frames[i + 1]?.kind === "websocket-binary") {
      attachments.push(Buffer.from(frames[++i]!.data as Uint8Array));
    }
    const [name, payload] = JSON.parse(m[3]!) as [string, Record<string, unknown>];
    events.push({ name, payload, placeholders, attachments });
  }
  return events;
}

/**
 * Lets the page's socket through until it sends its masked input, then cuts the connection and
 * closes the page: the masked input never reaches the coordinator, after the page's key shares
 * went out and the others' came back — a drop between the phases of the protocol.
 */
async function dropAtMaskedInput(page: Page): Promise<{ sent: string[]; dropped: Promise<void> }> {
  const sent: string[] = [];
  let drop = (): void => {};
  const dropped = new Promise<void>((resolve) => (drop = resolve));
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (typeof message === "string" && message.includes('"secagg:masked"')) {
        void Promise.all([server.close(), ws.close()])
          .then(() => page.close())
          .then(drop);
        return;
      }
      if (typeof message === "string") sent.push(message);
      server.send(message);
    });
  });
  return { sent, dropped };
}

test("secure aggregation: the page's change goes up only masked, and the federation finishes when a page drops between phases", async ({
  browser,
}, testInfo) => {
  test.setTimeout(240_000);
  const coordinator = await startCoordinator("EEE444", [
    ...["--users", "30", "--items-count", "40", "--demo-clients", "4", "--manual-start"],
    ...["--set", `rounds=${ROUNDS}`, "--set", "minClientsToStart=5", "--set", "roundDeadlineSeconds=20"],
    ...["--set", "secureAggregation=true", "--set", "distribution=global"],
  ]);
  try {
    const page = await (await browser.newContext()).newPage();
    const sent = recordOutgoing(page);
    const personaPath = await coordinator.personaFile(20, testInfo.outputPath("personas"));
    const { profileText } = JSON.parse(await readFile(personaPath, "utf8")) as { profileText: string };
    await joinWithPersona(page, coordinator.joinLink, personaPath);
    await expect(page.getByTestId("what-leaves")).toContainText("masked (secure aggregation)");
    const leaving = await (await browser.newContext()).newPage();
    const leaver = await dropAtMaskedInput(leaving);
    await joinWithPersona(leaving, coordinator.joinLink, await coordinator.personaFile(21, testInfo.outputPath("personas")));
    await fetch(`${coordinator.origin}/api/federations/EEE444/control`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer admin-eee444-token" },
      body: JSON.stringify({ action: "start" }),
    });
    type Rounds = {
      config: { itemDim: number };
      rounds: { aggregated: number; secureAggregation: { summed: number; failed: number } }[];
    };
    await expect.poll(async () => (await coordinator.admin<Rounds>("/rounds")).rounds.length, { timeout: 120_000 }).toBe(ROUNDS);
    const { config, rounds } = await coordinator.admin<Rounds>("/rounds");
    // Round 1: six shared keys, the leaving page's change is missing from the sum; round 2: the five left.
    await leaver.dropped;
    expect(leaver.sent.some((frame) => frame.includes('"secagg:share-keys"'))).toBe(true);
    expect(leaver.sent.some((frame) => frame.includes('"secagg:masked"'))).toBe(false);
    for (const round of rounds) expect(round).toMatchObject({ secureAggregation: { summed: 5, failed: 0 } });
    expect(rounds[1]).toMatchObject({ aggregated: 5 });
    await expect(page.getByTestId("round")).toHaveText(String(ROUNDS));
    await expect(page.getByTestId("recommendations").locator("li")).toHaveCount(10);

    // The audit: join, rows-free uploads and the protocol's messages, nothing else.
    const events = sentEvents(sent);
    const names = new Set(events.map((e) => e.name));
    expect([...names].sort()).toEqual(["join", "upload", ...SECAGG_EVENTS].sort());
    const uploads = events.filter((e) => e.name === "upload");
    expect(uploads).toHaveLength(ROUNDS);
    for (const upload of uploads) {
      // θ_user (not uploaded under this configuration), rows and values: three attachments, all empty.
      expect(upload.placeholders).toBe(3);
      expect(upload.attachments).toEqual([]);
    }
    const tableBytes = 4 * 40 * config.itemDim;
    const masked = events.filter((e) => e.name === "secagg:masked");
    expect(masked).toHaveLength(ROUNDS);
    for (const event of events) {
      const largest = Math.max(0, ...event.attachments.map((a) => a.length));
      if (event.name === "secagg:masked") {
        // One attachment: the dense fixed-point vector, masked. Unmasked, every row this client did
        // not train would be a run of zero words; masked, about none is (1 in 2^32 by chance).
        expect(event.placeholders).toBe(1);
        expect(event.attachments.map((a) => a.length)).toEqual([tableBytes]);
        const words = new Uint32Array(new Uint8Array(event.attachments[0]!).buffer);
        expect(words.filter((w) => w === 0).length).toBeLessThan(3);
      } else {
        expect(largest, `${event.name} carries a table-sized payload`).toBeLessThan(tableBytes / 4);
      }
    }
    // And, as without secure aggregation, the profile text never leaves the page.
    const profileBytes = Buffer.from(profileText, "utf8");
    for (const record of sent) {
      if (record.kind === "request") continue;
      expect(Buffer.from(record.data).includes(profileBytes), "profile text sent").toBe(false);
    }
  } finally {
    coordinator.stop();
  }
});
