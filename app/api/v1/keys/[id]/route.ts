import { revokeAgentKeyRoute } from "@/server/agents/agent-routes";

export const DELETE = revokeAgentKeyRoute.handle;
