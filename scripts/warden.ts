import path from "node:path";
import { parseArgs } from "node:util";
import { ensurePrismaClient } from "./prepare";

const USAGE = `Usage: npm run warden -- <command>

  user create --email E --role viewer|approver|operator|admin [--password P] [--name N]
  user password --email E [--password P]   set a password (generated when not given); ends that user's sessions
  token create --email E --name N
  audit verify [--anchor FILE] [--public-key KEY]...
                         check the hash chain; with --anchor, also against signed anchors (one, or
                         JSON lines: every one is checked), with the public key given, or
                         WARDEN_AUDIT_ANCHOR_PUBLIC_KEY, or the one of WARDEN_AUDIT_ANCHOR_KEY(_FILE)
  audit anchor [--out FILE]   sign the chain's head with WARDEN_AUDIT_ANCHOR_KEY(_FILE) and print it
                         (--out also appends it to FILE as one JSON line)
  audit anchor-key       make a new anchor key pair (no database needed)
  import-pglite          bring a database of an earlier Warden (PGlite, in .warden/pgdata) over

The database: DATABASE_URL when set (a Warden on your own PostgreSQL needs it here too); else
the embedded database of the \`npm start\` running on this data folder (WARDEN_DATA_DIR, default
.warden); else, with no server running, the embedded database in that folder, opened for the
command alone.`;

function refuse(message: string): never {
  console.error(`warden: ${message}`);
  process.exit(2);
}

/** Where the CLI's database is: the same one the server reads, never a new one it would not. */
async function connect(): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) return async () => {};
  const dataDir = path.resolve(process.env.WARDEN_DATA_DIR ?? ".warden");
  const { lockHolder, externalServers, hasEmbeddedCluster, lockDataFolder, DataFolderBusy } = await import("../server/launcher/data-folder");
  const running = lockHolder(dataDir);
  if (running?.kind === "server" && running.databaseUrl) {
    process.env.DATABASE_URL = running.databaseUrl;
    return async () => {};
  }
  const external = externalServers(dataDir);
  if (external.length > 0) {
    refuse(
      `the Warden on port ${external[0]!.port} uses your own PostgreSQL: set DATABASE_URL to that server's URL for this command too ` +
        "(without it, the users and tokens made here would land where that Warden never reads)",
    );
  }
  if (!hasEmbeddedCluster(dataDir)) {
    refuse(`no Warden database in ${dataDir}: start Warden once with \`npm start\` (it creates it), or set DATABASE_URL to your PostgreSQL's URL`);
  }
  let lock;
  try {
    lock = lockDataFolder(dataDir, { kind: "cli" });
  } catch (error) {
    if (error instanceof DataFolderBusy) refuse(`${error.message}; try again in a moment`);
    throw error;
  }
  const { startEmbeddedDatabase } = await import("../server/db/embedded");
  const embedded = await startEmbeddedDatabase(dataDir);
  console.error(`warden: no server is running; using the embedded database in ${embedded.clusterDir} (the next \`npm start\` reads it)`);
  process.env.DATABASE_URL = embedded.url;
  const { migrate } = await import("../server/db/migrate");
  await migrate(embedded.url);
  return async () => {
    await embedded.stop();
    lock.release();
  };
}

async function main(argv: string[]): Promise<number> {
  const [noun, verb, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: "string" },
      role: { type: "string" },
      password: { type: "string" },
      name: { type: "string" },
      out: { type: "string" },
      anchor: { type: "string" },
      "public-key": { type: "string", multiple: true },
    },
    strict: true,
  });
  const command = `${noun ?? ""} ${verb ?? ""}`;
  if (noun === "import-pglite") {
    const { importPglite } = await import("./import-pglite");
    return importPglite(path.resolve(process.env.WARDEN_DATA_DIR ?? ".warden"));
  }
  if (command === "audit anchor-key") {
    const { generateAnchorKey } = await import("../server/audit/anchor-key");
    const key = generateAnchorKey();
    console.log(`WARDEN_AUDIT_ANCHOR_KEY=${key.privateKey}`);
    console.log(`WARDEN_AUDIT_ANCHOR_PUBLIC_KEY=${key.publicKey}`);
    console.error(
      `(key ${key.keyId}. Keep the private key outside the database and its backups: in the server's environment or a file ` +
        "only it reads (WARDEN_AUDIT_ANCHOR_KEY_FILE). The public key only verifies: give it to whoever checks the anchors.)",
    );
    return 0;
  }
  if (!["user create", "user password", "token create", "audit verify", "audit anchor"].includes(command)) {
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
    if (command === "user password") {
      if (!values.email) {
        console.error("user password needs --email");
        return 2;
      }
      const { ZPassword } = await import("../server/schemas/users");
      const { generatePassword } = await import("../server/auth/passwords");
      const password = values.password ?? generatePassword();
      const checked = ZPassword.safeParse(password);
      if (!checked.success) {
        console.error(`--password: ${checked.error.issues[0]!.message}`);
        return 2;
      }
      const { resetPassword } = await import("../server/users/change-password");
      const { sessionsEnded } = await resetPassword(db, cli, values.email, password);
      console.log(`new password set for ${values.email.toLowerCase()}; ${sessionsEnded} session(s) ended`);
      if (!values.password) console.log(`password: ${password}   (shown once)`);
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
      if (!user.role) {
        console.error(`${values.email} has no role yet; grant one first (Settings → Users)`);
        return 1;
      }
      const { createApiToken } = await import("../server/users/api-tokens");
      const { secret } = await createApiToken(db, { type: "user", id: user.id, label: user.email, role: user.role }, values.name);
      console.log(secret);
      console.error(`(a personal token for ${user.email}, role ${user.role}; shown once)`);
      return 0;
    }
    if (command === "audit anchor") {
      const { env } = await import("../server/env");
      if (!env.auditAnchorKey) {
        console.error("audit anchor needs a key: set WARDEN_AUDIT_ANCHOR_KEY or WARDEN_AUDIT_ANCHOR_KEY_FILE (npm run warden -- audit anchor-key makes one)");
        return 2;
      }
      const { takeAuditAnchor } = await import("../server/audit/take-anchor");
      const anchor = await takeAuditAnchor(db, env.auditAnchorKey);
      const line = JSON.stringify(anchor);
      console.log(line);
      if (values.out) {
        const { appendFileSync } = await import("node:fs");
        // Appended, never overwritten: an older anchor is worth keeping.
        appendFileSync(values.out, `${line}\n`, { mode: 0o640 });
        console.error(`(appended to ${values.out})`);
      }
      return 0;
    }
    if (values.anchor) return await verifyWithAnchors(db, values.anchor, values["public-key"]);
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
    const { disconnectDatabase } = await import("../server/db/client");
    await disconnectDatabase();
    await disconnect();
  }
}

/** `audit verify --anchor FILE`: 0 when the chain matches every anchor, 1 naming the gap, 2 when it cannot check. */
async function verifyWithAnchors(db: import("../server/db/client").Db, file: string, publicKeyArgs: string[] | undefined): Promise<number> {
  const { readFileSync, existsSync } = await import("node:fs");
  const { env } = await import("../server/env");
  const { parseAnchorPublicKey } = await import("../server/audit/anchor-key");
  const { parseAnchors } = await import("../server/audit/sign-anchor");
  const { verifyAuditChainWithAnchors } = await import("../server/audit/verify-anchors");
  let publicKeys;
  try {
    // --public-key (repeatable, for anchors made before a key was rotated) takes the key itself
    // or a file holding it; WARDEN_AUDIT_ANCHOR_PUBLIC_KEY is a comma-separated list.
    const given = (publicKeyArgs ?? []).map((arg) => (existsSync(arg) ? readFileSync(arg, "utf8") : arg));
    const configured = env.WARDEN_AUDIT_ANCHOR_PUBLIC_KEY?.split(",") ?? [];
    publicKeys =
      given.length > 0
        ? given.map(parseAnchorPublicKey)
        : configured.length > 0
          ? configured.map(parseAnchorPublicKey)
          : env.auditAnchorKey
            ? [env.auditAnchorKey.publicKey]
            : [];
  } catch (error) {
    console.error(`--public-key: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  if (publicKeys.length === 0) {
    console.error("audit verify --anchor needs the public key: --public-key, WARDEN_AUDIT_ANCHOR_PUBLIC_KEY, or WARDEN_AUDIT_ANCHOR_KEY(_FILE)");
    return 2;
  }
  let anchors;
  try {
    anchors = parseAnchors(readFileSync(file, "utf8"));
  } catch (error) {
    console.error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const report = await verifyAuditChainWithAnchors(db, anchors, publicKeys);
  if (report.ok) {
    console.log(`audit chain intact and matches ${report.anchorsChecked} anchor(s): ${report.rowsChecked} rows checked`);
    return 0;
  }
  console.error(`audit chain does NOT match its anchors: ${report.problem}`);
  return 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
