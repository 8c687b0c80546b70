// WARDEN_E2E_PORT lets two checkouts run their end-to-end suites side by side.
export const E2E_PORT = Number(process.env.WARDEN_E2E_PORT ?? 11490);
export const ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password-1" };
// The default-path suite's own Warden (a fresh copy on the embedded database).
export const DEFAULT_PATH_PORT = Number(process.env.WARDEN_DEFAULT_PATH_PORT ?? 11496);
