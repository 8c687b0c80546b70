import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // The console's logo is a tiny local SVG; next/image would add nothing.
      "@next/next/no-img-element": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      "server/db/generated/**",
      "sdk/dist/**",
      ".warden/**",
      "test-results/**",
      "playwright-report/**",
      "playwright-report-default-path/**",
      "next-env.d.ts",
    ],
  },
];

export default config;
