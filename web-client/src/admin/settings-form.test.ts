import { describe, expect, it } from "vitest";
import { PRESETS, resolveConfig, SEED_PRESET, TEXT_GRAPH_PRESET } from "@fedrec/common";
import { clientLabel } from "./client-label.ts";
import { formFrom, settingsChanges, showsNeighbourhoodSize } from "./settings-form.ts";

describe("dashboard settings form", () => {
  it("an untouched form changes nothing", () => {
    for (const preset of Object.values(PRESETS)) expect(settingsChanges(preset, formFrom(preset))).toEqual({});
  });

  it("Apply sends only what changed, so a change to a dense (seed) federation is accepted", () => {
    // Every field of the form, as the dashboard used to send it, is refused for the seed preset.
    expect(() => resolveConfig(SEED_PRESET, formFrom(SEED_PRESET), "settings")).toThrow(/neighbourhoodSize applies to/);
    const form = { ...formFrom(SEED_PRESET), globalUpdate: "mean" as const };
    const changes = settingsChanges(SEED_PRESET, form);
    expect(changes).toEqual({ globalUpdate: "mean" });
    expect(resolveConfig(SEED_PRESET, changes, "settings").globalUpdate).toBe("mean");
  });

  it("shows and sends k only for top-k neighbourhoods", () => {
    const dense = { ...formFrom(SEED_PRESET), neighbourhoodSize: 5 };
    expect(showsNeighbourhoodSize(dense)).toBe(false);
    expect(settingsChanges(SEED_PRESET, dense)).toEqual({});
    const topk = { ...dense, neighbourhood: "topk" as const };
    expect(showsNeighbourhoodSize(topk)).toBe(true);
    expect(settingsChanges(SEED_PRESET, topk)).toEqual({ neighbourhood: "topk", neighbourhoodSize: 5 });
    expect(resolveConfig(SEED_PRESET, settingsChanges(SEED_PRESET, topk)).neighbourhood).toEqual({ kind: "topk", k: 5 });
    // Leaving top-k drops an edited k instead of sending a contradiction.
    const toNone = { ...formFrom(TEXT_GRAPH_PRESET), neighbourhood: "none" as const, neighbourhoodSize: 3 };
    expect(settingsChanges(TEXT_GRAPH_PRESET, toNone)).toEqual({ neighbourhood: "none" });
    // A new k of the current top-k neighbourhood is sent alone, and applies.
    const k3 = { ...formFrom(TEXT_GRAPH_PRESET), neighbourhoodSize: 3 };
    expect(settingsChanges(TEXT_GRAPH_PRESET, k3)).toEqual({ neighbourhoodSize: 3 });
    expect(resolveConfig(TEXT_GRAPH_PRESET, settingsChanges(TEXT_GRAPH_PRESET, k3)).neighbourhood).toEqual({
      kind: "topk",
      k: 3,
    });
  });
});

describe("client labels", () => {
  it("names a client by slot and its own label, else by a short id", () => {
    expect(clientLabel({ clientId: "ml100k-56-abcdef", slot: 3, label: "ml-100k user 57" })).toBe("client 3 · ml-100k user 57");
    expect(clientLabel({ clientId: "web-AAAAAAAAAAAAAAAA", slot: 0, label: null })).toBe("client 0 · web-AAAAAAAAAA");
  });
});
