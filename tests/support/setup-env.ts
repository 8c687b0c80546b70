import { inject } from "vitest";

// Runs in each test worker before any test file imports server code, which reads the env once.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret";
process.env.WARDEN_VALIDATE_ANSWERS = "1";
