import { spawn, type ChildProcess } from "node:child_process";

export type Instance = { port: number; base: string; child: ChildProcess; output: () => string };

export async function waitForHealth(port: number, child: ChildProcess, output: () => string): Promise<void> {
  // Two minutes: the first instance of a fresh checkout builds the console before it serves.
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`instance on ${port} exited: ${output()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`instance on ${port} never became healthy: ${output()}`);
}

/** One more Warden (`npm start`'s launcher) on `databaseUrl`, serving `port`, once healthy. */
export async function startInstance(port: number, databaseUrl: string, env: Record<string, string> = {}): Promise<Instance> {
  const logs: string[] = [];
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => logs.push(String(d)));
  child.stderr!.on("data", (d) => logs.push(String(d)));
  const output = () => logs.join("");
  await waitForHealth(port, child, output);
  return { port, base: `http://127.0.0.1:${port}`, child, output };
}

export async function stopInstance(instance: Instance): Promise<void> {
  if (instance.child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    instance.child.once("exit", () => resolve());
    instance.child.kill("SIGTERM");
  });
}
