import { listAudit } from "../../audit/list-audit";
import { verifyAuditChain } from "../../audit/verify-chain";
import { appendAudit } from "../../audit/append-audit";
import { ZAuditQuery } from "../../schemas/audit";
import { createTRPCRouter, operatorProcedure } from "../trpc";

export const auditRouter = createTRPCRouter({
  list: operatorProcedure.input(ZAuditQuery).query(({ ctx, input }) => listAudit(ctx.db, input)),
  verify: operatorProcedure.mutation(async ({ ctx }) => {
    const report = await verifyAuditChain(ctx.db);
    // Checking is itself an act worth recording, after the check so it does not check itself.
    await appendAudit(ctx.db, {
      actor: ctx.user,
      verb: "audit.verify",
      data: { ok: report.ok, rowsChecked: report.rowsChecked, firstBroken: report.firstBroken?.id ?? null },
      origin: { ip: ctx.ip },
    });
    return report;
  }),
});
