/** How the dashboard names a client: its slot and the label it gave at join, else a short id. */
export interface LabelledClient {
  readonly clientId: string;
  readonly slot: number;
  /** What the client called itself at join (e.g. "ml-100k user 57"), or null. */
  readonly label: string | null;
}

export function clientLabel(client: LabelledClient): string {
  return `client ${client.slot} · ${client.label ?? client.clientId.slice(0, 14)}`;
}
