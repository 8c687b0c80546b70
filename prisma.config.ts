import { defineConfig } from "prisma/config";

// Only `prisma generate` runs here (the app applies migrations itself), so no URL is needed
// at generate time; migrate commands read DATABASE_URL where the native engine exists.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
});
