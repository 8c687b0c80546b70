import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensurePrismaClient } from "./prepare";

const USAGE = `Usage: npm run warden -- <command>

  user create --email E --role viewer|approver|operator|admin [--password P] [--name N]
  token create --email E --name N
  audit verify

Uses DATABASE_URL, else the embedded database of a running \`npm start\`, else opens the
embedded database itself (WARDEN_DATA_DIR, default .warden).`;

/** Where the CLI's database is: the same one `npm start` uses. */
async function connect(): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) return async () => {};
  const dataDir = path.resolve(process.env.WARDEN_DATA_DIR ?? ".warden");
  const runningUrl = path.join(dataDir, "embedded-url");
  if (existsSync(runningUrl)) {
    process.env.DATABASE_URL = readFileSync(runningUrl, "utf8").trim();
    return async () => {};
  }
  const { startEmbeddedDatabase } = await import("../server/db/embedded");
  const embedded = await startEmbeddedDatabase(dataDir);
  process.env.DATABASE_URL = embedded.url;
  const { migrate } = await import("../server/db/migrate");
  await migrate(embedded.url);
  return embedded.stop;
}

async function main(argv: string[]): Promise<number> {
  const [noun, verb, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: "string" }, role: { type: "string" }, password: { type: "string" }, name: { type: "string" } },
    strict: true,
  });
  const command = `${noun ?? ""} ${verb ?? ""}`;
  if (!["user create", "token create", "audit verify"].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  ensurePrismaClient();
  const disconnect = await connect();
  try {
    const { db } = await import("../server/db/client");
    const cli = { type: "system" as const, id: null, label: "warden-cli" };
    if (command === "user create") {
      const { createUser } = await import("../server/users/create-user");
      const { ZCreateUserRequest } = await import("../server/schemas/users");
      const input = ZCreateUserRequest.safeParse({ email: values.email, role: values.role, password: values.password, name: values.name });
      if (!input.success) {
        for (const issue of input.error.issues) console.error(`--${issue.path.join(".")}: ${issue.message}`);
        return 2;
      }
      const { user, generatedPassword } = await createUser(db, cli, input.data);
      console.log(`created ${user.role} ${user.email} (${user.id})`);
      if (generatedPassword) console.log(`password: ${generatedPassword}   (shown once)`);
      return 0;
    }
    if (command === "token create") {
      if (!values.email || !values.name) {
        console.error("token create needs --email and --name");
        return 2;
      }
      const user = await db.user.findUnique({ where: { email: values.email.toLowerCase() } });
      if (!user || !user.active) {
        console.error(`no active user with email ${values.email}`);
        return 1;
      }
      const { createApiToken } = await import("../server/users/api-tokens");
      const { secret } = await createApiToken(db, { type: "user", id: user.id, label: user.email, role: user.role }, values.name);
      console.log(secret);
      console.error(`(a personal token for ${user.email}, role ${user.role}; shown once)`);
      return 0;
    }
    const { verifyAuditChain } = await import("../server/audit/verify-chain");
    const report = await verifyAuditChain(db);
    if (report.ok) {
      console.log(`audit chain intact: ${report.rowsChecked} rows checked`);
      return 0;
    }
    console.error(`audit chain BROKEN at row ${report.firstBroken!.id}: ${report.firstBroken!.problem}`);
    console.error(`(${report.rowsChecked} rows before it verified)`);
    return 1;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  } finally {
    const { db } = await import("../server/db/client");
    await db.$disconnect();
    await disconnect();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
