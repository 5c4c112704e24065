/**
 * The client page's one-paragraph account of what leaves the device, computed from the
 * federation's settings (never a fixed text): what each upload carries and what the coordinator
 * can read from it (docs/privacy.md measures it).
 */
import { uploadsUserWeights } from "../config/derived-settings.ts";
import type { FederationConfig } from "../config/federation-config.ts";

export function whatLeavesTheDevice(c: FederationConfig): string {
  const itemRows = c.secureAggregation
    ? `its change to the whole item table, masked (secure aggregation) so that the coordinator learns only the sum over its group of up to ${c.secureAggregationGroupSize} devices, never which items you rated`
    : [
        "the rows of the item table it trained, which show which items you rated and, by the direction of the change, which ones you liked",
        c.pseudoItems > 0 ? `, padded with ${c.pseudoItems} decoy rows` : "",
        c.itemNoiseScale > 0 ? `, with Laplace noise of scale ${c.itemNoiseScale} added` : "",
      ].join("");
  const userLayer = uploadsUserWeights(c)
    ? `your user layer θ_user${
        c.userWeightsNoiseScale > 0 ? ` with Laplace noise of scale ${c.userWeightsNoiseScale} added` : ""
      }, from which the coordinator can recover the embedding of your profile text, and with it much of what the text says`
    : null;
  const parts = [
    itemRows,
    ...(userLayer ? [userLayer] : []),
    "how many ratings you have",
    "your training loss and how well your two held-out ratings ranked",
  ];
  const notSent = userLayer ? "" : " Your user layer θ_user, built from your profile, is not sent.";
  return (
    "Your profile text and your ratings stay on this device. " +
    `Each round it sends the coordinator ${parts.slice(0, -1).join("; ")}; and ${parts.at(-1)!}.` +
    notSent
  );
}
