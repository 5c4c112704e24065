/**
 * The in-memory shape every dataset loader produces. One user = one federated client:
 * a user's interactions and profile text are that client's private data.
 */

/** One observed user–item event. Ratings are kept for reference; training treats every event as a positive. */
export interface Interaction {
  /** Dense item index in [0, numItems). */
  readonly item: number;
  /** Rating as given by the source (1–5 for MovieLens; 1 when the source has none). */
  readonly rating: number;
  /** Unix time in seconds. */
  readonly timestamp: number;
}

export interface UserRecord {
  /** The id used by the source file (kept for messages and exports). */
  readonly sourceId: string;
  /** Natural-language profile built from the dataset's template; the encoder embeds it. */
  readonly profileText: string;
  /** In source row order (the leave-one-out tie-break relies on it). May be empty. */
  readonly interactions: readonly Interaction[];
}

export interface Dataset {
  readonly name: string;
  /** Users in a stable order; index = dense user/client index. */
  readonly users: readonly UserRecord[];
  readonly numItems: number;
  /** Human-readable item titles (index = dense item index). */
  readonly itemTitles: readonly string[];
  /** The source ids of the items (index = dense item index). */
  readonly itemSourceIds: readonly string[];
}
