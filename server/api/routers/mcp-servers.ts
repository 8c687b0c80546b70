import { z } from "zod";
import { deleteMcpServer, putMcpServer } from "../../mcp-gateway/mcp-server-registry";
import { getMcpServer, listMcpServers } from "../../mcp-gateway/mcp-server-view";
import { ZMcpServerName, ZPutMcpServerRequest } from "../../schemas/mcp-servers";
import { adminProcedure, createTRPCRouter } from "../trpc";

/** Settings → MCP servers: the same services as /api/v1/mcp-servers. */
export const mcpServersRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listMcpServers(ctx.db)),
  put: adminProcedure.input(z.object({ name: ZMcpServerName, server: ZPutMcpServerRequest })).mutation(async ({ ctx, input }) => {
    await putMcpServer(ctx.db, ctx.user, input.name, input.server, { ip: ctx.ip });
    return getMcpServer(ctx.db, input.name);
  }),
  delete: adminProcedure.input(z.object({ name: ZMcpServerName })).mutation(async ({ ctx, input }) => {
    await deleteMcpServer(ctx.db, ctx.user, input.name, { ip: ctx.ip });
    return { deleted: input.name };
  }),
});
