/**
 * Optimisers over the model's parameter groups. Groups: θ_user (the joint-embedding layer),
 * the MLPs (θ_umlp and θ_score), and the item table θ_item, whose update only visits rows that
 * may be non-zero this round (exactly equal to a dense update, see stepItemRows).
 *
 * - Adam: PyTorch semantics. SGD: plain steps. Each group has its own rate; the dense layers
 *   and the item table may use different algorithms (the seed: Adam for both; the paper: SGD for
 *   both; a hybrid: Adam for the private layers, SGD with a large rate for the sparse table).
 *
 * State: the dense layers' Adam moments persist across rounds on the device (the seed keeps one
 * optimiser per client). The item table's moments live in the round's workspace and restart from
 * zero every round, because the table itself is replaced by the server's; this is what makes
 * untouched rows stay exactly equal to the table received.
 */
import type { DenseLayer } from "./dense-layer.ts";
import type { ModelGradients } from "./gradients.ts";
import type { ClientModel } from "./client-model.ts";
import { denseLayersOf } from "./client-model.ts";

export interface LearningRates {
  /** θ_user. */
  readonly user: number;
  /** θ_umlp and θ_score. */
  readonly mlp: number;
  /** θ_item. */
  readonly item: number;
}

export type OptimizerKind = "adam" | "sgd";

export interface OptimizerSettings {
  /** Algorithm of θ_user, θ_umlp and θ_score. */
  readonly dense: OptimizerKind;
  /** Algorithm of θ_item. */
  readonly item: OptimizerKind;
  readonly rates: LearningRates;
  /** Adam's β1, β2 and ε (unused by SGD). */
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

export interface Moments {
  readonly m: Float32Array;
  readonly v: Float32Array;
}

export interface OptimizerState {
  readonly settings: OptimizerSettings;
  /** Adam moments of the dense layers (weight then bias per layer), persisted across rounds. */
  readonly dense: Moments[];
  denseStep: number;
}

/** Item-table optimiser state for one round; reset when a new server table arrives. */
export interface ItemOptimizerState {
  /** Adam moments (numItems × itemDim), null for SGD. */
  readonly moments: Moments | null;
  step: number;
}

export function createMoments(length: number): Moments {
  return { m: new Float32Array(length), v: new Float32Array(length) };
}

export function createOptimizerState(model: ClientModel, settings: OptimizerSettings): OptimizerState {
  const dense =
    settings.dense === "adam"
      ? denseLayersOf(model).flatMap((layer) => [createMoments(layer.weight.length), createMoments(layer.bias.length)])
      : [];
  return { settings, dense, denseStep: 0 };
}

/** Called when a new server table arrives: item-table moments restart from zero. */
export function resetItemState(state: ItemOptimizerState, previouslyActiveRows: Iterable<number>, itemDim: number): void {
  state.step = 0;
  if (!state.moments) return;
  for (const row of previouslyActiveRows) {
    state.moments.m.fill(0, row * itemDim, (row + 1) * itemDim);
    state.moments.v.fill(0, row * itemDim, (row + 1) * itemDim);
  }
}

/** One optimiser step on every dense layer and on the active item rows. */
export function optimizerStep(
  state: OptimizerState,
  itemState: ItemOptimizerState,
  model: ClientModel,
  grads: ModelGradients,
  activeRows: Iterable<number>,
): void {
  const { rates } = state.settings;
  const layers = denseLayersOf(model);
  state.denseStep += 1;
  itemState.step += 1;
  layers.forEach((layer, l) => {
    const rate = l === 0 ? rates.user : rates.mlp;
    stepLayer(state, layer, grads.dense[l]!, 2 * l, rate);
  });
  const itemDim = model.dims.itemDim;
  for (const row of activeRows) {
    stepSlice(
      state,
      model.itemTable,
      grads.itemTable,
      itemState.moments,
      row * itemDim,
      (row + 1) * itemDim,
      rates.item,
      itemState.step,
    );
  }
}

function stepLayer(state: OptimizerState, layer: DenseLayer, grad: DenseLayer, slot: number, rate: number): void {
  const step = state.denseStep;
  stepSlice(state, layer.weight, grad.weight, state.dense[slot] ?? null, 0, layer.weight.length, rate, step);
  stepSlice(state, layer.bias, grad.bias, state.dense[slot + 1] ?? null, 0, layer.bias.length, rate, step);
}

function stepSlice(
  state: OptimizerState,
  values: Float32Array,
  grad: Float32Array,
  mom: Moments | null,
  from: number,
  to: number,
  rate: number,
  step: number,
): void {
  const settings = state.settings;
  // Moments exist exactly for the groups whose algorithm is Adam.
  if (!mom) {
    for (let i = from; i < to; i++) values[i] -= rate * grad[i]!;
    return;
  }
  const { beta1, beta2, epsilon } = settings;
  const correction1 = 1 - Math.pow(beta1, step);
  const correction2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
  const stepSize = rate / correction1;
  const { m, v } = mom;
  for (let i = from; i < to; i++) {
    const g = grad[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * g;
    const vi = beta2 * v[i]! + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    values[i] -= (stepSize * mi) / (Math.sqrt(vi) / correction2Sqrt + epsilon);
  }
}
