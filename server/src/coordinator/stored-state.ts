/**
 * The JSON the coordinator's database holds, read back through the protocol's own schemas: a
 * configuration, catalogue, round summary or participant list that does not fit is an error naming
 * the federation and the field, never a cast. Older schemas' configurations are brought to the
 * current shape first (`upgradeStoredConfig`), at the values those federations ran with.
 */
import * as v from "valibot";
import {
  CATALOGUE_FIELDS,
  CODE_PATTERN,
  CatalogueItemsSchema,
  ConfigError,
  FEDERATION_PHASES,
  RoundSummarySchema,
  TOKEN_PATTERN,
  isErrorReply,
  parseCatalogue,
  parseMessage,
  validateFullConfig,
  type Catalogue,
  type CatalogueItems,
  type ErrorReply,
  type FederationConfig,
  type FederationPhase,
  type FederationSetup,
  type RoundSummary,
} from "@fedrec/common";
import { fields, integerIn, list, oneOf, text } from "@fedrec/common/schema";

/**
 * 3: best-validation tables (best_tables), `earlyStoppingPatience` in the configuration and
 * `bestRound` in round summaries. 4: the configuration's `neighbourhood` is one object
 * (`{"kind": "topk", "k": 10}`) instead of `neighbourhood`, `neighbourhoodSize` and `thresholdFactor`.
 * 5: `userWeightsUpload` in the configuration; federations saved before it uploaded θ_user ("full").
 * 6: client-level DP settings in the configuration and `dpEpsilon` in round summaries; federations
 * saved before ran without DP (and without secure aggregation, whose settings came without a bump).
 * 7: `graphSearch` in the configuration; federations saved before it found topk neighbours exactly.
 * 8: the encoder's weight precision (`encoderPrecision`, the catalogue's `encoder.precision`;
 * older federations embedded with fp32 weights and are upgraded to say so) and a warm start's
 * tables (starting_tables, restored by a reset).
 */
export const SCHEMA_VERSION = 8;
/** The oldest schema this coordinator upgrades. */
export const OLDEST_SCHEMA = 2;

/** Settings a schema-2 federation's stored configuration lacks, at the values it ran with. */
const SETTINGS_SINCE_SCHEMA_2 = {
  earlyStoppingPatience: 0,
  scorer: "mlp",
  weightDecay: 0,
  serverOptimizer: "none",
  serverLearningRate: 1,
} as const;

/** Settings a schema-5 federation's stored configuration may lack, at the values it ran with: DP and secure aggregation off. */
const SETTINGS_SINCE_SCHEMA_5 = {
  dpEpsilon: null,
  dpNoiseMultiplier: null,
  dpDelta: 1e-5,
  dpClipNorm: 0.05,
  secureAggregation: false,
  secureAggregationRange: 4,
  secureAggregationGroupSize: 32,
} as const;

/** Schema 3's flat neighbourhood as the rule it meant (a flat parameter of another kind was unused). */
function neighbourhoodOfSchema3(kind: unknown, size: unknown, factor: unknown): unknown {
  if (kind === "topk") return { kind, k: size };
  if (kind === "threshold") return { kind, factor };
  return { kind };
}

/** The weights every encoder ran with before schema 8 (the int8 encoder came with it). */
const ENCODER_PRECISION_BEFORE_SCHEMA_8 = "fp32";

/** A configuration as schema `version` stored it, in the current shape (validated by the caller). */
export function upgradeStoredConfig(stored: Readonly<Record<string, unknown>>, version: number): Record<string, unknown> {
  let config: Record<string, unknown> = version <= 2 ? { ...SETTINGS_SINCE_SCHEMA_2, ...stored } : { ...stored };
  if (version <= 3) {
    const { neighbourhood, neighbourhoodSize, thresholdFactor, ...rest } = config;
    config = { ...rest, neighbourhood: neighbourhoodOfSchema3(neighbourhood, neighbourhoodSize, thresholdFactor) };
  }
  if (version <= 4) config = { userWeightsUpload: "full", ...config };
  if (version <= 5) config = { ...SETTINGS_SINCE_SCHEMA_5, ...config };
  if (version <= 6) config = { graphSearch: "exact", ...config };
  if (version <= 7) config = { ...config, encoderPrecision: ENCODER_PRECISION_BEFORE_SCHEMA_8 };
  return config;
}

/** A catalogue as schema `version` stored it, in the current shape: an encoder (if it names one) with its precision. */
export function upgradeStoredCatalogue(stored: Readonly<Record<string, unknown>>, version: number): Record<string, unknown> {
  const encoder = stored.encoder;
  if (version > 7 || typeof encoder !== "object" || encoder === null) return { ...stored };
  return { ...stored, encoder: { ...encoder, precision: ENCODER_PRECISION_BEFORE_SCHEMA_8 } };
}

/** The database does not hold what this coordinator writes: say where, what, and that nothing is resumed. */
function refuse(code: string, problem: string): Error {
  return new Error(`federation ${code}: saved ${problem}; refusing to resume (corrupted or foreign database?)`);
}

/** `what` of federation `code` parsed as JSON. */
function json(code: string, what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw refuse(code, `${what} is not JSON (${(error as Error).message})`);
  }
}

/** The checked value, or the refusal naming the field and the problem. */
function checked<T>(code: string, value: T | ErrorReply): T {
  if (isErrorReply(value)) throw refuse(code, value.message);
  return value;
}

export function restoreConfig(code: string, text: string): FederationConfig {
  try {
    return validateFullConfig(json(code, "configuration", text), "configuration");
  } catch (error) {
    if (error instanceof ConfigError) throw refuse(code, error.message);
    throw error;
  }
}

/** Federations saved before protocol 3 did not record their encoder: such a catalogue has none. */
const StoredCatalogueSchema = fields({ ...CATALOGUE_FIELDS, encoder: v.optional(CATALOGUE_FIELDS.encoder) });
export type StoredCatalogue = v.InferOutput<typeof StoredCatalogueSchema>;

/** A catalogue as stored, with or without its encoder (for deciding whether to resume). */
export function restoreStoredCatalogue(code: string, text: string): StoredCatalogue {
  return checked(code, parseMessage(StoredCatalogueSchema, json(code, "catalogue", text), "catalogue"));
}

/** A catalogue to resume with: complete, its encoder's width the profile width. */
export function restoreCatalogue(code: string, text: string): Catalogue {
  return checked(code, parseCatalogue(json(code, "catalogue", text), "catalogue"));
}

export function restoreItems(code: string, text: string | null): CatalogueItems | null {
  if (text === null) return null;
  return checked(code, parseMessage(CatalogueItemsSchema, json(code, "items", text), "items"));
}

export function restorePhase(code: string, phase: string): FederationPhase {
  return checked(code, parseMessage(oneOf(FEDERATION_PHASES), phase, "phase"));
}

/** A round summary; those written before schema 3 have no bestRound (none was tracked), before schema 6 no dpEpsilon (DP was off). */
export function restoreRoundSummary(code: string, text: string): RoundSummary {
  const summary = json(code, "round summary", text);
  const upgraded = typeof summary === "object" && summary !== null ? { bestRound: null, dpEpsilon: null, ...summary } : summary;
  return checked(code, parseMessage(RoundSummarySchema, upgraded, "round summary"));
}

const ParticipantsSchema = list(text(TOKEN_PATTERN), 10_000_000);

export function restoreParticipants(code: string, text: string): readonly string[] {
  return checked(code, parseMessage(ParticipantsSchema, json(code, "participants", text), "participants"));
}

/** A federation's setup saved as one JSON object (the Redis cluster): tokens, complete catalogue, items. */
const StoredSetupSchema = fields({
  code: text(CODE_PATTERN),
  joinToken: text(TOKEN_PATTERN),
  adminToken: text(TOKEN_PATTERN),
  catalogue: v.unknown(),
  items: v.nullable(CatalogueItemsSchema),
});

export function restoreSetup(code: string, text: string): FederationSetup {
  const setup = checked(code, parseMessage(StoredSetupSchema, json(code, "setup", text), "setup"));
  if (setup.code !== code) throw refuse(code, `setup names the federation ${setup.code}`);
  return { ...setup, catalogue: checked(code, parseCatalogue(setup.catalogue, "setup.catalogue")) };
}

const ClientRecordSchema = fields({ slot: integerIn(0, 100_000_000), secretDigest: text(/^[0-9a-f]{64}$/) });

/** A registered client's slot and secret digest, saved as JSON (the Redis cluster). */
export function restoreClientRecord(code: string, text: string): { slot: number; secretDigest: string } {
  return checked(code, parseMessage(ClientRecordSchema, json(code, "client", text), "client"));
}

const OpenRoundSchema = fields({ round: integerIn(1, 100_000), participants: ParticipantsSchema });

/** The open round and its participants, saved as one JSON object (the Redis cluster). */
export function restoreOpenRound(code: string, text: string): { round: number; participants: readonly string[] } {
  return checked(code, parseMessage(OpenRoundSchema, json(code, "open round", text), "open round"));
}
