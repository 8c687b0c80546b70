import type { DbOrTx } from "../db/client";
import type { ControlState } from "../guardrails/evaluate-action";

export type EffectiveControl = { state: ControlState; epoch: number; reason: string | null };

/**
 * The strictest control state over the agent's scopes (fleet, team, agent). The kill switch
 * (pause, suspend, kill) is not built yet: every agent runs. The guardrail already honours
 * every state this returns.
 */
export async function getEffectiveControl(_db: DbOrTx, _agent: { id: string; team: string }): Promise<EffectiveControl> {
  return { state: "running", epoch: 0, reason: null };
}
