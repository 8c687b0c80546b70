import { spawn, type ChildProcess } from "node:child_process";

/** Starts Warden as `npm start` does, on its own port and database; resolves when it serves. */
export async function startWarden(databaseUrl: string, port: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), WARDEN_ADMIN_EMAIL: "bench@warden.test", WARDEN_ADMIN_PASSWORD: "bench-password-1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`Warden exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/api/health`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
