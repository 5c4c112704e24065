import { describe, expect, it } from "vitest";
import { resolveConfig } from "../config/federation-config.ts";
import { DEFAULT_CONFIG, TEXT_GRAPH_PRESET } from "../config/presets.ts";
import { whatLeavesTheDevice } from "./what-leaves-the-device.ts";

describe("whatLeavesTheDevice", () => {
  it("the default: item rows, count and metrics; θ_user said not to be sent", () => {
    expect(whatLeavesTheDevice(DEFAULT_CONFIG)).toBe(
      "Your profile text and your ratings stay on this device. Each round it sends the coordinator the rows of the " +
        "item table it trained, which show which items you rated and, by the direction of the change, which ones you " +
        "liked; how many ratings you have; and your training loss and how well your two held-out ratings ranked. " +
        "Your user layer θ_user, built from your profile, is not sent.",
    );
  });

  it("the text graph: θ_user is sent and said to reveal the profile", () => {
    const text = whatLeavesTheDevice(TEXT_GRAPH_PRESET);
    expect(text).toContain(
      "; your user layer θ_user, from which the coordinator can recover the embedding of your profile text, and with it much of what the text says;",
    );
    expect(text).not.toContain("is not sent");
  });

  it("names the decoys and the noise the settings add", () => {
    const config = resolveConfig(TEXT_GRAPH_PRESET, { pseudoItems: 200, itemNoiseScale: 0.01, userWeightsNoiseScale: 0.1 });
    const text = whatLeavesTheDevice(config);
    expect(text).toContain("which ones you liked, padded with 200 decoy rows, with Laplace noise of scale 0.01 added;");
    expect(text).toContain("θ_user with Laplace noise of scale 0.1 added, from which");
  });

  it("under secure aggregation: the change of the whole table goes up masked, no rows", () => {
    const config = resolveConfig(DEFAULT_CONFIG, {
      secureAggregation: true,
      distribution: "global",
      secureAggregationGroupSize: 16,
    });
    const text = whatLeavesTheDevice(config);
    expect(text).toContain(
      "sends the coordinator its change to the whole item table, masked (secure aggregation) so that the coordinator learns only the sum over its group of up to 16 devices, never which items you rated;",
    );
    expect(text).not.toContain("the rows of the item table it trained");
  });
});
