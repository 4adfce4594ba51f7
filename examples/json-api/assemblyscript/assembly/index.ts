// The JSON API example in AssemblyScript (the same routes as ../c/json_api.c):
// GET /api/health, GET|PUT|DELETE /api/items/ID over KV, GET /api/time.
import { Request, Response, KV, nowSeconds } from "vivarium";

function json(code: u32, body: string): void {
  Response.json(code, body);
}

function validId(id: string): bool {
  if (id.length == 0) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 45 || c == 95;
    if (!ok) return false;
  }
  return true;
}

function item(req: Request, method: string, id: string): void {
  if (!validId(id)) {
    json(400, '{"error":"an item id is made of letters, digits, \'-\' and \'_\'"}');
    return;
  }
  const key = "item:" + id;
  if (method == "GET") {
    const value = KV.get(key);
    if (value == null) json(404, '{"error":"no such item"}');
    else {
      Response.status(200);
      Response.setHeader("content-type", "application/json");
      Response.body(value);
    }
  } else if (method == "PUT") {
    const body = req.text();
    if (body.length == 0 || (body.charAt(0) != "{" && body.charAt(0) != "[")) {
      json(400, '{"error":"the body must be a JSON object or array"}');
      return;
    }
    const created = KV.putString(key, body);
    json(created ? 201 : 200, created ? '{"created":true}' : '{"created":false}');
  } else if (method == "DELETE") {
    if (KV.remove(key)) Response.status(204);
    else json(404, '{"error":"no such item"}');
  } else {
    json(405, '{"error":"method not allowed"}');
  }
}

export function run(): void {
  const req = Request.incoming();
  const method = req.method();
  const route = req.route();
  if (route == "/api/health") json(200, '{"ok":true}');
  else if (route == "/api/time") json(200, '{"now":' + nowSeconds().toString() + "}");
  else if (route.startsWith("/api/items/")) item(req, method, route.substring(11));
  else json(404, '{"error":"not found"}');
}
