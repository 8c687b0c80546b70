export const E2E_PORT = 11490;
export const ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password-1" };
