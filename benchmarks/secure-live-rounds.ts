/**
 * Live rounds with secure aggregation against plain uploads: the same synthetic world (ML-100K's
 * table size by default: 1,682 items × itemDim), a coordinator on loopback and headless clients, run
 * once with plain uploads and once with `secureAggregation`, one after the other in this process
 * (clients and coordinator share its event loop, so the seconds include every client's work).
 *
 *   npx tsx benchmarks/secure-live-rounds.ts [--users 64] [--items 1682] [--rounds 3] [--group-size 32]
 *
 * Reports per round: socket payload bytes per client up and down (the coordinator's count), seconds
 * per round and in aggregation, and the largest difference between the two runs' final tables.
 */
import { parseArgs } from "node:util";
import type { RoundSummary } from "@fedrec/common";
import { HeadlessFleet } from "../server/src/headless/headless-fleet.ts";
import { CODE, JOIN_TOKEN, startTestCoordinator, testWorld, waitUntil } from "../server/src/testing/live-federation.ts";

const { values } = parseArgs({
  options: {
    users: { type: "string" },
    items: { type: "string" },
    rounds: { type: "string" },
    "group-size": { type: "string" },
  },
});
const USERS = Number(values.users ?? 64);
const ITEMS = Number(values.items ?? 1682);
const ROUNDS = Number(values.rounds ?? 3);
const GROUP_SIZE = Number(values["group-size"] ?? 32);

interface Run {
  readonly history: readonly RoundSummary[];
  readonly table: Float32Array;
  readonly wallSeconds: number;
}

async function run(secureAggregation: boolean): Promise<Run> {
  const world = await testWorld(
    USERS,
    {
      rounds: ROUNDS,
      distribution: "global",
      secureAggregation,
      secureAggregationGroupSize: GROUP_SIZE,
      roundDeadlineSeconds: 60,
    },
    ITEMS,
  );
  const coordinator = await startTestCoordinator(world);
  const fleet = new HeadlessFleet({
    url: coordinator.url,
    code: CODE,
    token: JOIN_TOKEN,
    ...world,
    users: [...Array(USERS).keys()],
  });
  const started = performance.now();
  try {
    await fleet.connect();
    const federation = coordinator.find(CODE)!;
    await waitUntil(() => federation.phase === "finished", 3_600_000, `${ROUNDS} rounds`);
    console.error(
      `${secureAggregation ? "secure" : "plain"}: ${ROUNDS} rounds in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return {
      history: federation.history,
      table: federation.checkpoint().tables.global,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    fleet.close();
    await coordinator.close();
  }
}

const kB = (bytes: number) => (bytes / 1000).toFixed(1);
const plain = await run(false);
const secure = await run(true);
console.log(`${USERS} clients, ${ITEMS} items, ${ROUNDS} rounds, secure groups of at most ${GROUP_SIZE}\n`);
console.log(
  "| round | kB up / client plain | secure | kB down / client plain | secure | s / round plain | secure | s aggregate plain | secure |",
);
console.log(
  "| ----- | ------------------- | ------ | --------------------- | ------ | --------------- | ------ | ----------------- | ------ |",
);
for (let r = 0; r < ROUNDS; r++) {
  const p = plain.history[r]!;
  const s = secure.history[r]!;
  console.log(
    `| ${r + 1} | ${kB(p.bytes.in / USERS)} | ${kB(s.bytes.in / USERS)} | ${kB(p.bytes.out / USERS)} | ${kB(s.bytes.out / USERS)} | ` +
      `${p.seconds.total.toFixed(2)} | ${s.seconds.total.toFixed(2)} | ${p.seconds.aggregate.toFixed(2)} | ${s.seconds.aggregate.toFixed(2)} |`,
  );
}
let worst = 0;
let largest = 0;
for (let k = 0; k < plain.table.length; k++) {
  worst = Math.max(worst, Math.abs(plain.table[k]! - secure.table[k]!));
  largest = Math.max(largest, Math.abs(plain.table[k]!));
}
const reports = secure.history.map((h) => h.secureAggregation);
console.log(`\nsecure sessions per round: ${JSON.stringify(reports)}`);
console.log(`largest difference of the final global tables: ${worst.toExponential(2)} (largest entry ${largest.toFixed(2)})`);
console.log(`test HR@10 per round, plain: ${plain.history.map((h) => h.metrics.test.hr10.toFixed(4)).join(", ")}`);
console.log(`test HR@10 per round, secure: ${secure.history.map((h) => h.metrics.test.hr10.toFixed(4)).join(", ")}`);
console.log(`wall seconds: plain ${plain.wallSeconds.toFixed(1)}, secure ${secure.wallSeconds.toFixed(1)}`);
