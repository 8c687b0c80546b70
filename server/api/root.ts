import { actionsRouter } from "./routers/actions";
import { agentsRouter } from "./routers/agents";
import { approvalsRouter } from "./routers/approvals";
import { controlRouter } from "./routers/control";
import { costRouter } from "./routers/cost";
import { fleetRouter } from "./routers/fleet";
import { memoryRouter } from "./routers/memory";
import { metricsRouter } from "./routers/metrics";
import { notificationsRouter } from "./routers/notifications";
import { policiesRouter } from "./routers/policies";
import { qualityRouter } from "./routers/quality";
import { toolsRouter } from "./routers/tools";
import { mcpServersRouter } from "./routers/mcp-servers";
import { auditRouter } from "./routers/audit";
import { tokensRouter } from "./routers/tokens";
import { usersRouter } from "./routers/users";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  users: usersRouter,
  tokens: tokensRouter,
  agents: agentsRouter,
  audit: auditRouter,
  approvals: approvalsRouter,
  actions: actionsRouter,
  policies: policiesRouter,
  tools: toolsRouter,
  mcpServers: mcpServersRouter,
  notifications: notificationsRouter,
  control: controlRouter,
  fleet: fleetRouter,
  memory: memoryRouter,
  metrics: metricsRouter,
  quality: qualityRouter,
  cost: costRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
