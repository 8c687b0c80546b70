import { issueAgentKeyRoute } from "@/server/agents/agent-routes";

export const POST = issueAgentKeyRoute.handle;
