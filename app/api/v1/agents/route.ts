import { createAgentRoute, listAgentsRoute } from "@/server/agents/agent-routes";

export const GET = listAgentsRoute.handle;
export const POST = createAgentRoute.handle;
