/** An admin command — `{action: start|pause|stop}` or `{settings: {...}}` — applied to a federation. */
import { errorReply, type ControlAction, type Federation } from "@fedrec/common";

export function applyControl(federation: Federation, payload: unknown): unknown {
  const body = (typeof payload === "object" && payload !== null ? payload : {}) as { action?: unknown; settings?: unknown };
  if (body.action === "start" || body.action === "pause" || body.action === "stop") {
    federation.control(body.action as ControlAction);
    return { ok: true, status: federation.status() };
  }
  if (body.settings !== undefined) {
    try {
      return { ok: true, config: federation.configure(body.settings) };
    } catch (error) {
      return errorReply("malformed", (error as Error).message);
    }
  }
  return errorReply("malformed", 'expected {"action": "start" | "pause" | "stop"} or {"settings": {...}}');
}
