import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { adminToken } from "./support/api";
import { logIn } from "./support/helpers";
import { BASE } from "./support/sdk-agent";

/*
 * The MCP gateway end to end, in the browser: an admin adds the reference filesystem MCP
 * server (from npm) in Settings → MCP servers, grants one of its tools to an agent in Settings →
 * Agents, the agent calls it through /api/mcp/gateway with the official MCP client, the call
 * waits, and the admin approves it from the inbox; the file is then written upstream.
 */

const FILESYSTEM = path.resolve("node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
const SCREENS = "test-results/screens";

async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

test("an admin adds an MCP server, grants one of its tools, and approves the agent's gated call from the inbox", async ({ page, request }) => {
  test.setTimeout(120_000);
  const folder = realpathSync(mkdtempSync(path.join(tmpdir(), "warden-e2e-gateway-")));
  const server = `files-${Math.random().toString(36).slice(2, 7)}`;
  const tool = `${server}.write_file`;
  try {
    await logIn(page);
    await page.goto("/settings/mcp-servers");
    await page.getByRole("button", { name: "Add MCP server" }).click();
    const form = page.getByRole("form", { name: "MCP server" });
    await form.getByLabel("Name").fill(server);
    await form.getByLabel("Command").fill(process.execPath);
    await form.getByLabel("Arguments").fill(`${FILESYSTEM}\n${folder}`);
    await form.getByRole("button", { name: "Add", exact: true }).click();
    await form.getByLabel("Environment 1: name").fill("NODE_NO_WARNINGS");
    await form.getByLabel("Environment 1: value").fill("1");
    await form.getByRole("button", { name: "Save MCP server" }).click();
    const row = page.getByTestId(`mcp-server-${server}`);
    await expect(row.getByTestId("mcp-health")).toHaveText("ready", { timeout: 30_000 });
    await expect(row).toContainText("env NODE_NO_WARNINGS: set");
    await row.getByText(/\d+ tools/).click();
    await expect(row).toContainText(tool);

    // The agent, provisioned as code with no tools; the grant is made in the console.
    const token = await adminToken();
    const created = await request.post("/api/v1/agents", {
      headers: { Authorization: `Bearer ${token}` },
      data: { name: `${server}-agent`, role: "specialist", team: "ops", tools: [] },
    });
    expect(created.status()).toBe(201);
    const { agent, key } = (await created.json()) as { agent: { name: string }; key: { secret: string } };
    await page.goto("/settings/agents");
    const agentRow = page.getByTestId(`agent-row-${agent.name}`);
    await agentRow.getByRole("button", { name: "Grants and keys" }).click();
    const grants = page.getByRole("form", { name: `Grants of ${agent.name}` });
    await grants.getByLabel("Tools").fill(tool);
    await expect(grants.getByTestId("unknown-tools")).toHaveCount(0);
    await grants.getByRole("button", { name: "Save grants" }).click();
    await expect(agentRow).toContainText(tool);

    const client = new Client({ name: "e2e-agent", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL("/api/mcp/gateway", BASE), { requestInit: { headers: { Authorization: `Bearer ${key.secret}` } } }),
    );
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual([`${server}__write_file`]);
      // No confidence stated and none set for the tool: it waits for a human.
      const target = path.join(folder, "release-notes.txt");
      const calling = client.callTool({ name: `${server}__write_file`, arguments: { path: target, content: "approved in the inbox" } }, undefined, {
        timeout: 60_000,
      });

      await page.getByRole("link", { name: "Inbox" }).click();
      const item = page.getByTestId("inbox-item").filter({ hasText: agent.name });
      await expect(item).toBeVisible({ timeout: 15_000 });
      await item.click();
      await expect(page.getByTestId("detail-args")).toContainText("release-notes.txt");
      expect(existsSync(target)).toBe(false);
      await page.getByRole("button", { name: "Approve (a)" }).click();
      await expect(page.getByTestId("inbox-notice")).toContainText("Approved");

      const result = await calling;
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      expect(readFileSync(target, "utf8")).toBe("approved in the inbox");
    } finally {
      await client.close();
    }

    // The settings page, at desktop and phone widths.
    await page.goto("/settings/mcp-servers");
    await expect(page.getByTestId(`mcp-server-${server}`).getByTestId("mcp-health")).toHaveText("ready");
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: `${SCREENS}/mcp-servers-1440.png`, fullPage: true });
    await expectNoSidewaysScroll(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId(`mcp-server-${server}`).getByRole("button", { name: "Edit" }).click();
    await page.screenshot({ path: `${SCREENS}/mcp-servers-390.png`, fullPage: true });
    await expectNoSidewaysScroll(page);
  } finally {
    await request.delete(`/api/v1/mcp-servers/${server}`, { headers: { Authorization: `Bearer ${await adminToken()}` } }).catch(() => undefined);
    rmSync(folder, { recursive: true, force: true });
  }
});
