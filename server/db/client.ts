import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "./generated/client";
import { closePgPool, pgPool } from "./pg-pool";

export type Db = PrismaClient;
/** Either the client or a transaction: services accept both so callers choose the boundary. */
export type DbOrTx = PrismaClient | Prisma.TransactionClient;
export type Tx = Prisma.TransactionClient;

function createClient(): PrismaClient {
  // On the process's one pool (pg-pool.ts), which the statements that skip Prisma share. It
  // connects on first query, so importing this module (as `next build` does while it collects
  // pages) needs no database; the launcher always sets DATABASE_URL before serving.
  return new PrismaClient({ adapter: new PrismaPg(pgPool()) });
}

// One client per process; kept on globalThis so Next's dev reloads do not open new pools.
const holder = globalThis as unknown as { wardenDb?: PrismaClient };
export const db: PrismaClient = (holder.wardenDb ??= createClient());

/** For a command that is done with the database: the client, then the pool it runs on. */
export async function disconnectDatabase(): Promise<void> {
  await db.$disconnect();
  await closePgPool();
}
