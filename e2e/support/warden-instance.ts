import { spawn, type ChildProcess } from "node:child_process";

/**
 * Another Warden process, started as `npm start` starts one, on its own port and the given
 * database: for the specs that need several instances on one PostgreSQL.
 */
export async function startInstance(databaseUrl: string, port: number, admin: { email: string; password: string }, extraEnv: Record<string, string> = {}) {
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), WARDEN_ADMIN_EMAIL: admin.email, WARDEN_ADMIN_PASSWORD: admin.password, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => output.push(String(d)));
  child.stderr!.on("data", (d) => output.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`instance on ${port} exited: ${output.join("")}`);
    if (await fetch(`${url}/api/health`).then((r) => r.ok).catch(() => false)) break;
    if (i > 1200) throw new Error(`instance on ${port} never became healthy: ${output.join("")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    output: () => output.join(""),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
