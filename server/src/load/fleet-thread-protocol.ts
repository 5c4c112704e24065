/** What `npm run load` and its client threads (fleet-thread.ts) exchange. */
import type { FleetCounts } from "./load-fleet.ts";
import type { LoadFederation } from "./load-protocol.ts";

export interface FleetThreadSetup {
  readonly urls: readonly string[];
  readonly federation: LoadFederation;
  readonly failover: boolean;
  readonly trainMs: number;
}

export type ToFleetThread =
  /** Connect and join clients first … first + count − 1. */
  | { readonly kind: "connect"; readonly first: number; readonly count: number; readonly batch: number }
  | { readonly kind: "phase"; readonly phase: string }
  | { readonly kind: "close" };

export type FromFleetThread =
  | { readonly kind: "ready" }
  | { readonly kind: "connected"; readonly seconds: number }
  /** Sent every REPORT_EVERY_MS and once closed: the counts so far and the longest stall since the last report (ms). */
  | { readonly kind: "counts"; readonly counts: FleetCounts; readonly longestStallMs: number; readonly closed: boolean };

export const REPORT_EVERY_MS = 250;
