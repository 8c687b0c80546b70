import { spawn, spawnSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { E2E_PORT } from "./support/constants";
import { adminToken, createUser, provisionAgent } from "./support/api";
import { uniqueName } from "./support/helpers";

const PYTHON = process.env.WARDEN_PYTHON ?? "python3";
const SUITE_TIMEOUT_MS = 240_000;

/** Runs a command to its end, with a deadline; never waits on standard input. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    let output = "";
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => {
      output += `\n[python-client.spec] killed after ${timeoutMs / 1000} s\n`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}\n[python-client.spec] could not run ${command}: ${error.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test("the Python client's own tests pass against this Warden (clients/python/tests)", async ({ request }) => {
  test.setTimeout(SUITE_TIMEOUT_MS + 60_000);
  const probe = spawnSync(PYTHON, ["-c", "import sys; assert sys.version_info >= (3, 9), sys.version"], {
    encoding: "utf8",
    timeout: 15_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `The Python client's tests need Python 3.9 or newer as \`${PYTHON}\` (set WARDEN_PYTHON to use another): ` +
        (probe.error?.message ?? probe.stderr.trim()),
    );
  }

  // What the Python tests cannot make with an agent key: people's tokens, and agents with keys.
  const admin = await adminToken();
  const approver = await adminToken(await createUser("approver"));
  const operator = await adminToken(await createUser("operator"));
  const restart = uniqueName("docker.restart");
  const deploy = uniqueName("deploy.release");
  const service = uniqueName("service.scale");
  const agents = {
    a: { ...(await provisionAgent(request, admin, { name: restart })), tool: restart },
    b: { ...(await provisionAgent(request, admin, { name: restart })), tool: restart },
    approvals: { ...(await provisionAgent(request, admin, { name: deploy })), tool: deploy },
    control: { ...(await provisionAgent(request, admin, { name: service })), tool: service },
  };

  const { code, output } = await run(
    PYTHON,
    ["-m", "unittest", "discover", "-s", "clients/python/tests", "-v"],
    {
      ...process.env,
      PYTHONUNBUFFERED: "1",
      WARDEN_URL: `http://127.0.0.1:${E2E_PORT}`,
      WARDEN_TEST_ADMIN_TOKEN: admin,
      WARDEN_TEST_APPROVER_TOKEN: approver,
      WARDEN_TEST_OPERATOR_TOKEN: operator,
      WARDEN_TEST_AGENTS: JSON.stringify(agents),
    },
    SUITE_TIMEOUT_MS,
  );
  if (code !== 0) console.log(output);
  expect(code, `python3 -m unittest exited with ${code}:\n${output}`).toBe(0);
  expect(output).toMatch(/^OK/m);
  expect(output, "the suite ran no test").not.toMatch(/^Ran 0 tests/m);
});
