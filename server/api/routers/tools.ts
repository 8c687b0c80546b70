import { z } from "zod";
import { listTools, putTool } from "../../tools/tool-registry";
import { ZPutToolRequest, ZToolName } from "../../schemas/tools";
import { adminProcedure, createTRPCRouter, viewerProcedure } from "../trpc";

export const toolsRouter = createTRPCRouter({
  list: viewerProcedure.query(({ ctx }) => listTools(ctx.db)),
  put: adminProcedure
    .input(z.object({ name: ZToolName, tool: ZPutToolRequest }))
    .mutation(({ ctx, input }) => putTool(ctx.db, ctx.user, input.name, input.tool, { ip: ctx.ip })),
});
