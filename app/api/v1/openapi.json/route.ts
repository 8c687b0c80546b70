import { buildOpenApiDocument } from "@/server/http/openapi";
import { API_ROUTES } from "@/server/http/route-registry";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return Response.json(buildOpenApiDocument(API_ROUTES, new URL(request.url).origin));
}
