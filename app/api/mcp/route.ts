import { handleMcpRequest } from "@/server/mcp/mcp-endpoint";

export const dynamic = "force-dynamic";
export const POST = handleMcpRequest;
export const GET = handleMcpRequest;
export const DELETE = handleMcpRequest;
