/** A client thread of `npm run load`: a LoadFleet on its own event loop, driven by the main thread. */
import { parentPort, workerData } from "node:worker_threads";
import type { FleetThreadSetup, FromFleetThread, ToFleetThread } from "./fleet-thread-protocol.ts";
import { REPORT_EVERY_MS } from "./fleet-thread-protocol.ts";
import { LoadFleet } from "./load-fleet.ts";
import { LoopStallMeter } from "./loop-stall-meter.ts";

const setup = workerData as FleetThreadSetup;
const port = parentPort!;
const post = (message: FromFleetThread): void => port.postMessage(message);
const fleet = new LoadFleet(setup.urls, setup.federation, setup.failover, setup.trainMs);
const stalls = new LoopStallMeter();
const report = (closed: boolean) => post({ kind: "counts", counts: fleet.counts, longestStallMs: stalls.take(), closed });
const reporter = setInterval(() => report(false), REPORT_EVERY_MS);

port.on("message", (message: ToFleetThread) => {
  if (message.kind === "connect") {
    void fleet.connect(message.first, message.count, message.batch).then((seconds) => {
      report(false); // before "connected": the main thread's counts then include every join
      post({ kind: "connected", seconds });
    });
  } else if (message.kind === "phase") {
    fleet.phase = message.phase;
  } else {
    fleet.close();
    clearInterval(reporter);
    stalls.stop();
    report(true);
  }
});
post({ kind: "ready" });
