/**
 * The one configuration of a federation (simulator and coordinator alike): every option with its
 * default in one place, validated once at the boundary by one valibot schema, from which the
 * FederationConfig type is inferred. Unknown keys and bad values are errors that say what is
 * allowed; contradictory settings are errors too. Never mutates its input.
 *
 * Adding a setting: one entry in CONFIG_FIELDS (its schema and doc) and its value in PAPER_PRESET
 * (presets.ts; the compiler asks for it), then `npm run docs:config`. A setting the coordinator's
 * saved federations lack needs the value they ran with in server/src/coordinator/stored-state.ts.
 */
import * as v from "valibot";
import { ENCODER_PRECISIONS, POOLINGS } from "../encoder/text-encoder.ts";
import { issueLines, issuePath } from "../schema/issue-lines.ts";
import { isMissingField } from "../schema/message-fields.ts";
import { CLIENT_LEVEL_DP_CONTRADICTIONS } from "../privacy/client-level-dp.ts";
import { flag, integer, integerList, oneOf, optionalReal, real } from "./field-spec.ts";
import { MAX_GROUP_SIZE, MIN_CONFIGURED_GROUP_SIZE } from "../secure-aggregation/group-plan.ts";
import {
  mergeNeighbourhood,
  NEIGHBOURHOOD_SHORTHANDS,
  NeighbourhoodChangeSchema,
  NeighbourhoodSchema,
} from "./neighbourhood-setting.ts";

export const CONFIG_FIELDS = {
  seed: integer("Seed of every random choice (initial model, splits, negatives, sampling, noise).", -(2 ** 31), 2 ** 31 - 1),
  rounds: integer("Communication rounds.", 1, 100_000),
  earlyStoppingPatience: integer(
    "Stop after this many rounds without a new best validation HR@10 (the clients' combined metrics; a tie is no improvement); 0 = off. Either way the tables of the best-validation round are kept and serve recommendations after the run.",
    0,
    100_000,
  ),
  jointDim: integer("d_j, output width of θ_user (the joint-embedding layer 384 → d_j).", 1, 4096),
  userHiddenDim: integer("Hidden width of θ_umlp.", 1, 4096),
  userOutDim: integer("Output width of θ_umlp.", 1, 4096),
  itemDim: integer("d_i, width of the item embedding table θ_item.", 1, 4096),
  scoreHidden: integerList("Hidden widths of θ_score (ReLU after each); the output width is 1. Used by the mlp scorer.", 1),
  scorer: oneOf(
    "How a user vector u and an item row are scored: θ_score's MLP on [u; row] (the paper), or dot: u·q + b with the row = [q; b] (matrix factorisation with an item bias; needs userOutDim = itemDim − 1; no θ_score).",
    ["mlp", "dot"],
  ),
  itemInitStd: real("Standard deviation of the initial item embeddings (PyTorch nn.Embedding: 1).", 0, 100, true),
  privateInit: oneOf(
    "Initial θ_umlp and θ_score: the federation's shared draw, or each client's own (θ_user and θ_item are always shared).",
    ["shared", "per-client"],
  ),
  optimizer: oneOf("Local optimiser of θ_user, θ_umlp and θ_score: adam (seed) or sgd (paper).", ["adam", "sgd"]),
  itemOptimizer: oneOf("Optimiser of θ_item: same as `optimizer`, or adam, or sgd.", ["same", "adam", "sgd"]),
  learningRate: real("Learning rate of θ_umlp and θ_score (and of the other groups unless derived or set).", 0, 1e6, true),
  lrEta: optionalReal(
    "The paper's η for SGD groups: θ_item rate = lr·numItems·η − lr, θ_user rate = lr·η/fractionTrain − lr. null = lr.",
    0,
    1e6,
  ),
  userLearningRate: optionalReal("Explicit learning rate of θ_user (null = derived from learningRate and lrEta).", 0, 1e6),
  itemLearningRate: optionalReal("Explicit learning rate of θ_item (null = derived from learningRate and lrEta).", 0, 1e6),
  localEpochs: integer("Local epochs per round.", 1, 1000),
  batchSize: integer("Mini-batch size.", 1, 1_000_000),
  numNegatives: integer("Fresh training negatives per positive, resampled every round.", 0, 1000),
  negativeExclusion: oneOf(
    "Items training negatives avoid. `all`: every interaction, held-out items included — the field's protocol (the public UFGraphFR, PFedRec and GPFedRec code), needed to compare with published numbers, but it leaks: held-out rows are never pushed down, which inflates HR@10 (grossly for local-only training). `train`: the training positives only — the held-out items are the client's unknown future (NCF's original protocol); use it for honest conclusions.",
    ["train", "all"],
  ),
  proximalLambda: real("λ of the proximal term λ·mean((θ_item − T_u)²).", 0, 1e6),
  weightDecay: real(
    "L2 coefficient wd on the parameters each local batch uses (its item rows and the private layers): gradient + wd·θ. 0 = off.",
    0,
    1e6,
  ),
  graphSource: oneOf("Build the user graph from θ_user (paper) or from the item tables (GPFedRec).", ["user", "item"]),
  neighbourhood: NeighbourhoodSchema,
  graphSearch: oneOf(
    "How topk neighbours are found: exact (the full n × n cosine matrix, O(n²·dim)), approximate (a count sketch proposes candidates, re-ranked by exact cosine; for large federations) or auto (approximate above 2,000 participants in a round).",
    ["exact", "approximate", "auto"],
  ),
  propagationLayers: integer("L, message-passing layers (R = S''^L·A).", 1, 16),
  globalUpdate: oneOf(
    "Weights w_i of the participants in the global update: mean (1/|U|, paper), fedavg (n_i / Σ n, interaction counts as the clients report them, each capped at the catalogue size so no client can claim more weight than one that rated every item) or sum (1 each: the clients' row changes are added, as centralised SGD would; needs a serverOptimizer).",
    ["mean", "fedavg", "sum"],
  ),
  serverOptimizer: oneOf(
    "How the global table moves. none: θ_global ← Σ_i w_i R_i (paper). sgd: θ_global ← θ_global + η_s·Δ with the pseudo-gradient Δ = Σ_i w_i (R_i − T_i), T_i the table client i received. adam: FedAdam on Δ (Reddi et al., ICLR 2021; β1 0.9, β2 0.99, τ 1e-3).",
    ["none", "sgd", "adam"],
  ),
  serverLearningRate: real("η_s, the server's step on the pseudo-gradient (sgd, adam).", 0, 1e6, true),
  distribution: oneOf("What a client receives: its personalised R_i (paper) or the global table (seed).", [
    "personalized",
    "global",
  ]),
  fractionTrain: real("Fraction of clients sampled per round.", 0, 1, true),
  minTrainClients: integer("Minimum clients per round (when available).", 1, 1_000_000),
  uploadClipNorm: optionalReal(
    "Robustness: clip the L2 norm of each upload's item-table change (uploaded rows − the rows sent) to this bound before aggregating. null = off.",
    0,
    1e9,
  ),
  uploadPrecision: oneOf(
    "Encoding of uploaded θ_user and item rows: float32 (exact) or float16 (half the bytes; values rounded to float16 on the client, so simulator and live runs still agree).",
    ["float32", "float16"],
  ),
  minClientsToStart: integer("Coordinator: connected clients needed before a round starts.", 1, 1_000_000),
  roundDeadlineSeconds: real(
    "Coordinator: seconds sampled clients have to upload; after it the round closes with the uploads in, once the quorum is met.",
    0,
    86_400,
    true,
  ),
  quorum: real(
    "Coordinator: fraction of a round's sampled clients whose uploads are needed to aggregate at the deadline (below it the round stays open and idle clients are added).",
    0,
    1,
    true,
  ),
  userWeightsUpload: oneOf(
    "What clients send of θ_user: full (the 384 × d_j layer the text graph is built from — it gives the profile embedding away: θ_user minus the shared initialisation is rank one along it, docs/privacy.md) or none. Fixed at join. The user graph from θ_user (graphSource user with a neighbourhood) needs full.",
    ["full", "none"],
  ),
  userWeightsNoiseScale: real("Local DP: Laplace scale b added to uploaded θ_user (0 = off).", 0, 1e6),
  itemNoiseScale: real("Local DP: Laplace scale b added to the uploaded item-table rows (0 = off).", 0, 1e6),
  pseudoItems: integer(
    "Privacy: pseudo-item rows added to every upload (changed by noise as large as the real changes) so the trained items cannot be told apart (FedGNN); 0 = off.",
    0,
    1_000_000,
  ),
  secureAggregation: flag(
    "Privacy: the server learns only the sum Σ_j c_j·(A_j − T) of the participants' weighted item-table changes, never one client's (secure aggregation with pairwise masks and dropout recovery, Bonawitz et al., CCS 2017; docs/secure-aggregation.md). Needs distribution \"global\" and a graph that is not built from item tables. Each of its phases waits up to roundDeadlineSeconds for clients that have not answered; not with --redis.",
  ),
  secureAggregationRange: real(
    "Secure aggregation: B, the largest change of one item-table entry in a round that is summed exactly; larger changes are clipped to ±B. The fixed-point scale follows from it (error ≈ n·B·Σ_j abs(c_j) / 2^32 per entry, n clients per group).",
    0,
    1e6,
    true,
  ),
  secureAggregationGroupSize: integer(
    "Secure aggregation: most clients per session; a round's participants are split into near-equal groups and the server learns each group's sum. Each client's work grows with it (a key agreement and a mask expansion per peer); at most 255 (Shamir shares over GF(2^8)).",
    MIN_CONFIGURED_GROUP_SIZE,
    MAX_GROUP_SIZE,
  ),
  dpEpsilon: optionalReal(
    "Client-level differential privacy (central: the coordinator clips each upload's item-table change to dpClipNorm, adds Gaussian noise to their sum and Poisson-samples the clients; docs/privacy.md): the target ε at dpDelta after all `rounds`, from which the noise multiplier is calibrated (RDP accountant). null = off unless dpNoiseMultiplier is set.",
    0,
    1000,
  ),
  dpNoiseMultiplier: optionalReal(
    "Client-level DP with this noise multiplier σ instead of an ε target: the noise's standard deviation on every coordinate of the summed updates is σ·dpClipNorm. null = off unless dpEpsilon is set.",
    0,
    10_000,
  ),
  dpDelta: real("δ of client-level DP (keep it well below 1 / the number of clients).", 0, 0.01, true),
  dpClipNorm: real(
    "C of client-level DP: each client's item-table change is clipped to this L2 norm before the sum.",
    0,
    1e6,
    true,
  ),
  evalNegatives: integer("Sampled negatives per held-out item (the field: 99).", 1, 100_000),
  pooling: oneOf("Profile embedding pooling: mean (sentence-transformers) or cls (the seed).", POOLINGS),
  encoderPrecision: oneOf(
    "Weights of the profile encoder (MiniLM) every client of the federation runs: int8 (weight-only per-channel quantisation of the fp32 graph, fp32 arithmetic: a 23.5 MB download instead of 90.3 MB, cosine ≥ 0.998 with the fp32 embeddings) or fp32. The catalogue names it; a client embedding with the other is refused.",
    ENCODER_PRECISIONS,
  ),
} as const;

/** The documented field names, for messages. */
export const CONFIG_KEYS = Object.keys(CONFIG_FIELDS) as (keyof typeof CONFIG_FIELDS)[];
/** What a settings change may name: every setting and the neighbourhood's flat shorthands. */
export const SETTING_NAMES = [
  ...CONFIG_KEYS,
  ...(Object.keys(NEIGHBOURHOOD_SHORTHANDS) as (keyof typeof NEIGHBOURHOOD_SHORTHANDS)[]),
];
export type SettingName = (typeof SETTING_NAMES)[number];

const shown = (value: unknown) => JSON.stringify(value) ?? String(value);

/** Messages of a settings object: unknown names (all of them, with the allowed ones), missing ones, not an object. */
function settingsObjectMessage(allowed: readonly string[]) {
  return (issue: v.StrictObjectIssue): string => {
    if (isMissingField(issue)) return "missing";
    if (issue.expected !== "never") return `expected an object of settings, got ${shown(issue.input)}`;
    const object = issue.path?.at(-1)?.input as object;
    const unknown = Object.keys(object).filter((key) => !allowed.includes(key));
    return `unknown setting${unknown.length > 1 ? "s" : ""} ${unknown.map((key) => `"${key}"`).join(", ")} (allowed: ${allowed.join(", ")})`;
  };
}

type ConfigFields = v.InferOutput<v.StrictObjectSchema<typeof CONFIG_FIELDS, undefined>>;

/** Settings that contradict each other: the message, or null when they agree. */
const CONTRADICTIONS: readonly ((c: ConfigFields) => string | null)[] = [
  (c) => {
    const itemKind = c.itemOptimizer === "same" ? c.optimizer : c.itemOptimizer;
    return c.optimizer === "adam" && itemKind === "adam" && c.lrEta !== null
      ? `lrEta applies to sgd groups only; set it to null when every group uses "adam"`
      : null;
  },
  (c) =>
    c.globalUpdate === "sum" && c.serverOptimizer === "none"
      ? `globalUpdate "sum" adds the clients' changes: it needs serverOptimizer "sgd" or "adam", not "none"`
      : null,
  (c) =>
    c.serverOptimizer !== "none" && c.distribution === "personalized"
      ? `serverOptimizer "${c.serverOptimizer}" moves the one global table: it needs distribution "global"`
      : null,
  (c) =>
    c.scorer === "dot" && c.userOutDim !== c.itemDim - 1
      ? `scorer "dot" needs userOutDim = itemDim − 1 (the row's last entry is the item bias), got ${c.userOutDim} and ${c.itemDim}`
      : null,
  (c) =>
    c.graphSearch === "approximate" && c.neighbourhood.kind !== "topk"
      ? `graphSearch "approximate" finds topk neighbours: it needs neighbourhood "topk", not "${c.neighbourhood.kind}"`
      : null,
  (c) =>
    c.graphSource === "user" && c.neighbourhood.kind !== "none" && c.userWeightsUpload === "none"
      ? `neighbourhood "${c.neighbourhood.kind}" over graphSource "user" builds the graph from θ_user: it needs userWeightsUpload "full" (which reveals the profile embedding, docs/privacy.md), or neighbourhood "none"`
      : null,
  (c) =>
    c.secureAggregation && c.distribution !== "global"
      ? `secureAggregation sums the changes into the one global table: it needs distribution "global", not "${c.distribution}"`
      : null,
  (c) =>
    c.secureAggregation && c.graphSource === "item" && c.neighbourhood.kind !== "none"
      ? `secureAggregation hides each client's item table: the graph cannot be built from it (graphSource "item")`
      : null,
  ...CLIENT_LEVEL_DP_CONTRADICTIONS,
];

/** A complete configuration: every setting valid, none unknown or missing, no contradiction. */
export const FederationConfigSchema = v.pipe(
  v.strictObject(CONFIG_FIELDS, settingsObjectMessage(CONFIG_KEYS)),
  // Contradictions are looked for once every field is valid (they would only repeat a field's problem).
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed || dataset.issues) return;
    for (const rule of CONTRADICTIONS) {
      const message = rule(dataset.value);
      if (message !== null) addIssue({ message });
    }
  }),
  v.readonly(),
);

export type FederationConfig = v.InferOutput<typeof FederationConfigSchema>;

/** A change of some settings (a config file, --set, the dashboard's Apply). */
export const SettingsChangeSchema = v.partial(
  v.strictObject(
    { ...CONFIG_FIELDS, neighbourhood: NeighbourhoodChangeSchema, ...NEIGHBOURHOOD_SHORTHANDS },
    settingsObjectMessage(SETTING_NAMES),
  ),
);
export type SettingsChange = v.InferInput<typeof SettingsChangeSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** One problem per bad setting ("rounds must be …, got 0"), missing settings in one. */
function configProblems(issues: readonly v.BaseIssue<unknown>[]): string[] {
  const missing = issues.filter(isMissingField).map((issue) => issuePath("", issue));
  return [
    ...(missing.length > 0 ? [`missing ${missing.join(", ")}`] : []),
    ...issueLines(
      issues.filter((issue) => !isMissingField(issue)),
      "",
      " ",
    ),
  ];
}

function requireObject(value: unknown, source: string): object {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`${source}: expected an object of settings, got ${shown(value)}`);
  }
  return value;
}

/**
 * `base` overlaid with `overrides` (a parsed JSON object or CLI values), validated field by field.
 * All problems are reported at once.
 */
export function resolveConfig(base: FederationConfig, overrides: unknown, source = "config"): FederationConfig {
  const change = v.safeParse(SettingsChangeSchema, requireObject(overrides, source));
  if (!change.success) throw new ConfigError(`${source}: ${configProblems(change.issues).join("; ")}`);
  const { neighbourhood, neighbourhoodSize, thresholdFactor, ...settings } = change.output;
  const merged = mergeNeighbourhood(base.neighbourhood, {
    ...(neighbourhood !== undefined && { neighbourhood }),
    ...(neighbourhoodSize !== undefined && { neighbourhoodSize }),
    ...(thresholdFactor !== undefined && { thresholdFactor }),
  });
  if ("problems" in merged) throw new ConfigError(`${source}: ${merged.problems.join("; ")}`);
  return validateFullConfig({ ...base, ...settings, neighbourhood: merged }, source);
}

/**
 * Checks a complete configuration received from elsewhere (a welcome, a saved federation): every
 * field present and valid, no unknown field, no contradiction.
 */
export function validateFullConfig(value: unknown, source: string): FederationConfig {
  const config = v.safeParse(FederationConfigSchema, requireObject(value, source));
  if (!config.success) throw new ConfigError(`${source}: ${configProblems(config.issues).join("; ")}`);
  return config.output;
}
