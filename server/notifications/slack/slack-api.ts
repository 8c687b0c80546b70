const TIMEOUT_MS = 10_000;

/** A Slack Web API answer that was not `ok`: its `error` code (e.g. channel_not_found). */
export class SlackApiError extends Error {
  constructor(
    readonly method: string,
    readonly code: string,
  ) {
    super(`Slack ${method}: ${code}`);
    this.name = "SlackApiError";
  }
}

/**
 * Calls one Slack Web API method with the bot token (JSON body, as Slack's write methods accept;
 * `users.info` takes form fields, which JSON also carries for it).
 */
export async function callSlack<T extends Record<string, unknown>>(apiUrl: string, token: string, method: string, body: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${apiUrl.replace(/\/+$/, "")}/${method}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json; charset=utf-8", "user-agent": "Warden-Slack/1" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new SlackApiError(method, `HTTP ${response.status}`);
  const answer = (await response.json()) as T & { ok: boolean; error?: string };
  if (!answer.ok) throw new SlackApiError(method, answer.error ?? "unknown_error");
  return answer;
}

/** Posts to an interaction's response_url (Slack's way to answer the person who clicked). */
export async function respondToSlack(responseUrl: string, message: Record<string, unknown>): Promise<void> {
  await fetch(responseUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
}
