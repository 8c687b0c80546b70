import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "../env";
import { PrismaClient, type Prisma } from "./generated/client";

export type Db = PrismaClient;
/** Either the client or a transaction: services accept both so callers choose the boundary. */
export type DbOrTx = PrismaClient | Prisma.TransactionClient;
export type Tx = Prisma.TransactionClient;

function createClient(): PrismaClient {
  // The pool connects on first query, so importing this module (as `next build` does while it
  // collects pages) needs no database; the launcher always sets DATABASE_URL before serving.
  const adapter = new PrismaPg({ connectionString: env.DATABASE_URL, max: env.WARDEN_DB_POOL_SIZE });
  return new PrismaClient({ adapter });
}

// One client per process; kept on globalThis so Next's dev reloads do not open new pools.
const holder = globalThis as unknown as { wardenDb?: PrismaClient };
export const db: PrismaClient = (holder.wardenDb ??= createClient());
