import { describe, expect, it } from "vitest";
import { mergeCounts } from "./fleet-threads.ts";
import { emptyFleetCounts, type FleetCounts } from "./load-fleet.ts";

const counts = (over: Partial<FleetCounts>): FleetCounts => ({ ...emptyFleetCounts(), ...over });

describe("mergeCounts", () => {
  it("adds the threads' numbers and their tables key by key", () => {
    const merged = mergeCounts([
      counts({ joined: 3, uploadsAccepted: 5, dropped: { "ping timeout (round 1)": 2 }, bytesReceived: 10 }),
      counts({ joined: 4, rejoined: 1, dropped: { "ping timeout (round 1)": 1, "transport close (round 2)": 1 }, bytesSent: 7 }),
    ]);
    expect(merged).toEqual(
      counts({
        joined: 7,
        rejoined: 1,
        uploadsAccepted: 5,
        dropped: { "ping timeout (round 1)": 3, "transport close (round 2)": 1 },
        bytesReceived: 10,
        bytesSent: 7,
      }),
    );
  });
});
