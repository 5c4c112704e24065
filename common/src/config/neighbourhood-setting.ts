/**
 * The `neighbourhood` setting: one of four rules, each with only the parameter it uses, so that
 * "k of a dense neighbourhood" cannot be written down. Its type is graph/neighbourhood.ts's
 * NeighbourhoodRule, inferred here from the schema.
 *
 * What people type stays short: `neighbourhood` also takes a kind alone (`--set neighbourhood=dense`,
 * `"topk"` keeps the current k, else k 10), and the flat settings `neighbourhoodSize` and
 * `thresholdFactor` set the parameter of the topk and threshold rules. `mergeNeighbourhood` maps
 * these onto the rule; a parameter given for another kind is an error that says so.
 */
import * as v from "valibot";
import { isMissingField } from "../schema/message-fields.ts";
import { integer, real } from "./field-spec.ts";

export const NEIGHBOURHOOD_KINDS = ["topk", "threshold", "dense", "none"] as const;
export type NeighbourhoodKind = (typeof NEIGHBOURHOOD_KINDS)[number];

const K_DOC = "k of topk, self included; each neighbour weighs 1/k.";
const FACTOR_DOC = "threshold: neighbours have S_ij > mean(S)·factor.";
const k = integer(K_DOC, 1, 1_000_000);
const factor = real(FACTOR_DOC, -1e6, 1e6);

/** Parameters a rule gets when its kind is chosen without them (the paper's k; GPFedRec's factor). */
export const DEFAULT_NEIGHBOURHOOD_SIZE = 10;
export const DEFAULT_THRESHOLD_FACTOR = 1;

const KIND_LIST = NEIGHBOURHOOD_KINDS.map((x) => JSON.stringify(x)).join(" | ");
const shown = (value: unknown) => JSON.stringify(value) ?? String(value);
const kindMessage = (issue: { readonly input: unknown }) => `must be one of ${KIND_LIST}, got ${shown(issue.input)}`;
/** The message of a rule: a bad kind (the issue's path is the `kind` field), else not an object. */
const ruleMessage =
  (alternatives: string) =>
  (issue: { readonly input: unknown; readonly path?: readonly unknown[] | undefined }): string =>
    issue.path
      ? kindMessage(issue)
      : `must be ${alternatives}an object such as {"kind": "topk", "k": 10}, got ${shown(issue.input)}`;
const fieldsMessage = (kind: NeighbourhoodKind, fields: string) => (issue: v.StrictObjectIssue) =>
  isMissingField(issue)
    ? "missing"
    : issue.expected === "never"
      ? `has no field ${shown(issue.input)} for kind "${kind}" (allowed: ${fields})`
      : `must be an object, got ${shown(issue.input)}`;

/** The rules with their parameters optional (filled in by mergeNeighbourhood) or required. */
function rules<K extends v.GenericSchema<unknown, number | undefined>, F extends v.GenericSchema<unknown, number | undefined>>(
  kSchema: K,
  factorSchema: F,
  message: ReturnType<typeof ruleMessage>,
) {
  return v.pipe(
    v.variant(
      "kind",
      [
        v.strictObject({ kind: v.literal("topk"), k: kSchema }, fieldsMessage("topk", "kind, k")),
        v.strictObject({ kind: v.literal("threshold"), factor: factorSchema }, fieldsMessage("threshold", "kind, factor")),
        v.strictObject({ kind: v.literal("dense") }, fieldsMessage("dense", "kind")),
        v.strictObject({ kind: v.literal("none") }, fieldsMessage("none", "kind")),
      ],
      message,
    ),
    v.readonly(),
  );
}

export const NEIGHBOURHOOD_DOC =
  'Neighbourhood rule: {"kind": "topk", "k": k} (paper; k of topk, self included, each neighbour weighs 1/k), {"kind": "threshold", "factor": f} (GPFedRec: neighbours have S_ij > mean(S)·f), {"kind": "dense"} (seed) or {"kind": "none"} (no graph). A kind alone is accepted too (`--set neighbourhood=dense`).';

/** A complete rule, as a configuration holds it. */
export const NeighbourhoodSchema = v.pipe(rules(k, factor, ruleMessage("")), v.description(NEIGHBOURHOOD_DOC));
export type Neighbourhood = v.InferOutput<typeof NeighbourhoodSchema>;

/** What a settings change may say about the neighbourhood: a kind alone, or a rule with or without its parameter. */
const KindSchema = v.picklist(NEIGHBOURHOOD_KINDS, kindMessage);
const RuleChangeSchema = rules(v.optional(k), v.optional(factor), ruleMessage(`one of ${KIND_LIST} or `));
export const NeighbourhoodChangeSchema = v.pipe(
  // Chosen by the input's type, so a bad rule is told what is wrong with it, not that it is no kind.
  v.lazy((input): typeof KindSchema | typeof RuleChangeSchema => (typeof input === "string" ? KindSchema : RuleChangeSchema)),
  v.description(NEIGHBOURHOOD_DOC),
);

/** Flat settings that set the rule's parameter (accepted in settings changes, never stored). */
export const NEIGHBOURHOOD_SHORTHANDS = {
  neighbourhoodSize: v.pipe(k, v.description(`Shorthand for the k of {"kind": "topk"}: ${K_DOC}`)),
  thresholdFactor: v.pipe(factor, v.description(`Shorthand for the factor of {"kind": "threshold"}: ${FACTOR_DOC}`)),
};

export interface NeighbourhoodChange {
  readonly neighbourhood?: v.InferOutput<typeof NeighbourhoodChangeSchema>;
  readonly neighbourhoodSize?: number;
  readonly thresholdFactor?: number;
}

/**
 * The rule after `change` is applied to `current`: the kind given (else the current one), with the
 * parameter given (in the rule or by its shorthand), else the current rule's, else the default.
 * Returns the problems instead when a parameter does not fit the kind or is given twice.
 */
export function mergeNeighbourhood(current: Neighbourhood, change: NeighbourhoodChange): Neighbourhood | { problems: string[] } {
  const given = typeof change.neighbourhood === "string" ? { kind: change.neighbourhood } : change.neighbourhood;
  const kind = given?.kind ?? current.kind;
  const problems: string[] = [];
  const parameter = (
    shorthand: "neighbourhoodSize" | "thresholdFactor",
    ruleKind: NeighbourhoodKind,
    inRule: number | undefined,
  ) => {
    const flat = change[shorthand];
    if (flat !== undefined && kind !== ruleKind)
      problems.push(`${shorthand} applies to neighbourhood "${ruleKind}", not "${kind}"`);
    if (flat !== undefined && inRule !== undefined && flat !== inRule) {
      problems.push(`${shorthand} ${flat} contradicts the neighbourhood's own ${inRule}; give it once`);
    }
    return inRule ?? flat;
  };
  const size = parameter("neighbourhoodSize", "topk", given?.kind === "topk" ? (given as { k?: number }).k : undefined);
  const threshold = parameter(
    "thresholdFactor",
    "threshold",
    given?.kind === "threshold" ? (given as { factor?: number }).factor : undefined,
  );
  if (problems.length > 0) return { problems };
  switch (kind) {
    case "topk":
      return { kind, k: size ?? (current.kind === "topk" ? current.k : DEFAULT_NEIGHBOURHOOD_SIZE) };
    case "threshold":
      return { kind, factor: threshold ?? (current.kind === "threshold" ? current.factor : DEFAULT_THRESHOLD_FACTOR) };
    case "dense":
    case "none":
      return { kind };
  }
}

/** "topk (k 10)", "threshold (factor 1.2)", "dense", "none": for titles and logs. */
export function describeNeighbourhood(n: Neighbourhood): string {
  if (n.kind === "topk") return `topk (k ${n.k})`;
  if (n.kind === "threshold") return `threshold (factor ${n.factor})`;
  return n.kind;
}
