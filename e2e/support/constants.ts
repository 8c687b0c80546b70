import { tmpdir } from "node:os";
import path from "node:path";

// WARDEN_E2E_PORT lets two checkouts run their end-to-end suites side by side.
export const E2E_PORT = Number(process.env.WARDEN_E2E_PORT ?? 11490);
export const ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password-1" };
// The default-path suite's own Warden (a fresh copy on the embedded database).
export const DEFAULT_PATH_PORT = Number(process.env.WARDEN_DEFAULT_PATH_PORT ?? 11496);

// The file the e2e server's rules read their clock from (WARDEN_TEST_CLOCK_FILE): a spec writes an
// ISO time into it to decide at 2pm on a Tuesday, and removes it to go back to the real time.
export const TEST_CLOCK_FILE = path.join(tmpdir(), `warden-e2e-clock-${E2E_PORT}.txt`);
