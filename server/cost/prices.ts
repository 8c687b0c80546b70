import type { Actor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import type { ModelPrice } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { notFound } from "../errors";
import { ZModelName, ZPutModelPriceRequest, type ModelPriceView, type PutModelPriceRequest } from "../schemas/cost";

export function toModelPriceView(price: ModelPrice): ModelPriceView {
  return {
    model: price.model,
    inputUsdPerMillion: Number(price.inputUsdPerMillion),
    outputUsdPerMillion: Number(price.outputUsdPerMillion),
    updatedBy: price.updatedBy,
    updatedAt: price.updatedAt.toISOString(),
  };
}

export async function listModelPrices(db: DbOrTx): Promise<ModelPriceView[]> {
  return (await db.modelPrice.findMany({ orderBy: { model: "asc" } })).map(toModelPriceView);
}

/**
 * Sets a model's prices per million input and output tokens. A price applies to usage that
 * arrives from then on: events already stored keep the money they were counted with.
 */
export async function putModelPrice(db: DbOrTx, actor: Actor, request: PutModelPriceRequest, origin?: RequestOrigin): Promise<ModelPriceView> {
  const input = ZPutModelPriceRequest.parse(request);
  return inTransaction(db, async (tx) => {
    const before = await tx.modelPrice.findUnique({ where: { model: input.model } });
    const prices = { inputUsdPerMillion: String(input.inputUsdPerMillion), outputUsdPerMillion: String(input.outputUsdPerMillion), updatedBy: actor.label };
    const saved = await tx.modelPrice.upsert({ where: { model: input.model }, create: { model: input.model, ...prices }, update: prices });
    const view = toModelPriceView(saved);
    await appendAudit(tx, {
      actor,
      verb: before ? "price.update" : "price.create",
      subject: { type: "model_price", id: input.model },
      data: {
        inputUsdPerMillion: view.inputUsdPerMillion,
        outputUsdPerMillion: view.outputUsdPerMillion,
        before: before ? { inputUsdPerMillion: Number(before.inputUsdPerMillion), outputUsdPerMillion: Number(before.outputUsdPerMillion) } : null,
      },
      origin,
    });
    return view;
  });
}

/** Removes a model's price: its later usage is stored unpriced until a price is set again. */
export async function deleteModelPrice(db: DbOrTx, actor: Actor, model: string, origin?: RequestOrigin): Promise<{ model: string }> {
  const name = ZModelName.parse(model);
  return inTransaction(db, async (tx) => {
    const before = await tx.modelPrice.findUnique({ where: { model: name } });
    if (!before) throw notFound("price of model", name);
    await tx.modelPrice.delete({ where: { model: name } });
    await appendAudit(tx, {
      actor,
      verb: "price.delete",
      subject: { type: "model_price", id: name },
      data: { before: { inputUsdPerMillion: Number(before.inputUsdPerMillion), outputUsdPerMillion: Number(before.outputUsdPerMillion) } },
      origin,
    });
    return { model: name };
  });
}

/** Models agents used in the last week that have no price: their money is unknown. */
export async function unpricedModels(db: DbOrTx): Promise<{ model: string; events: number; lastAt: string }[]> {
  const rows = await db.$queryRaw<{ model: string; events: number; lastAt: Date }[]>`
    SELECT e.model, count(*)::int AS events, max(e.at) AS "lastAt"
      FROM usage_events e
     WHERE e.at > now() - interval '7 days' AND e.usd IS NULL
       AND NOT EXISTS (SELECT 1 FROM model_prices p WHERE p.model = e.model)
     GROUP BY e.model
     ORDER BY events DESC
     LIMIT 50`;
  return rows.map((r) => ({ ...r, lastAt: r.lastAt.toISOString() }));
}
