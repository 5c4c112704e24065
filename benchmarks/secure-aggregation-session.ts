/**
 * One secure-aggregation session at the size of the ML-100K item table (1,682 × 33 entries by
 * default), by group size: the seconds per client of its protocol rounds (key pairs, Shamir splits,
 * agreements, mask expansions), the server's seconds, and the bytes per client up and down —
 * without dropouts, and with a tenth of the group gone before its masked input (the server then
 * reconstructs their pairwise masks). Inputs are random: the cost does not depend on them.
 *
 *   npx tsx benchmarks/secure-aggregation-session.ts [--entries 55506] [--groups 8,16,32,64]
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { runSessionInProcess, thresholdFor, type SecureAggregationPhase } from "@fedrec/common";

const { values } = parseArgs({ options: { entries: { type: "string" }, groups: { type: "string" } } });
const entries = Number(values.entries ?? 1682 * 33);
const groups = (values.groups ?? "8,16,32,64").split(",").map(Number);
const cryptoBytes = (length: number) => new Uint8Array(randomBytes(length));
const clock = () => performance.now() / 1000;

console.log(`| group g | t | dropped before input | client s (mean) | server s | up B / client | down B / client |`);
console.log(`|---|---|---|---|---|---|---|`);
for (const g of groups) {
  const clients = Array.from({ length: g }, (_, i) => i);
  const inputs = new Map(clients.map((id) => [id, new Uint32Array(randomBytes(4 * entries).buffer)]));
  for (const dropped of [0, Math.max(1, Math.floor(g / 10))]) {
    const dropsBefore = new Map<number, SecureAggregationPhase>(clients.slice(0, dropped).map((id) => [id, "masked-input"]));
    const plan = { session: `bench ${g}`, clients, threshold: thresholdFor(g), vectorLength: entries };
    const outcome = await runSessionInProcess({ plan, inputs, randomBytes: cryptoBytes, dropsBefore, clock });
    const row = [
      g,
      plan.threshold,
      dropped,
      (outcome.seconds.clients / g).toFixed(3),
      outcome.seconds.server.toFixed(3),
      Math.round(outcome.traffic.up / g),
      Math.round(outcome.traffic.down / g),
    ];
    console.log(`| ${row.join(" | ")} |`);
  }
}
