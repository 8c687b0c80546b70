import type { DbOrTx } from "../db/client";
import { describeAction, describeSubjectText } from "./describe-subject";

const BATCH = 2_000;

type Undescribed = { id: string; subject: string; action: string | null; tool: string | null; resource: string | null };

/**
 * Files entries recorded before topics existed (issue 20's migration) under their topic, a batch
 * per pass: an entry learned from an action is read from that action's words, tool and resource
 * (as new lessons are); any other from its subject. New entries are described when recorded, so
 * after the first passes this finds nothing (a partial index keeps the look cheap).
 */
export async function describeMemories(db: DbOrTx): Promise<number> {
  const rows = await db.$queryRaw<Undescribed[]>`
    SELECT m.id, m.subject, a.action, a.tool, a.resource
      FROM memories m LEFT JOIN actions a ON a.id = m.action_id AND starts_with(m.subject, left(a.action, 40))
     WHERE m.topic_key IS NULL
     ORDER BY m.id LIMIT ${BATCH}`;
  if (rows.length === 0) return 0;
  const topics = rows.map((r) =>
    r.action !== null ? describeAction({ action: r.action, tool: r.tool, resource: r.resource }) : describeSubjectText(r.subject),
  );
  await db.$executeRaw`
    UPDATE memories m SET operation = t.operation, environment = t.environment,
           names = string_to_array(t.names, ' ') , topic_key = t.topic_key
      FROM unnest(${rows.map((r) => r.id)}::uuid[], ${topics.map((t) => t.operation)}::text[], ${topics.map((t) => t.environment)}::text[],
                  ${topics.map((t) => t.names.join(" "))}::text[], ${topics.map((t) => t.topicKey)}::text[])
           AS t(id, operation, environment, names, topic_key)
     WHERE m.id = t.id AND m.topic_key IS NULL`;
  return rows.length;
}
