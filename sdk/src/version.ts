/** The SDK's version, sent as the MCP server's version. Kept equal to package.json's. */
export const SDK_VERSION = "0.1.0";
