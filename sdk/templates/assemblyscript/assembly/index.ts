// {{name}}: a Vivarium service in AssemblyScript. `run` handles one request,
// on a fresh instance each time. The "vivarium" library (sdk/assemblyscript)
// wraps the Terrarium hostcalls.
//
//   vivarium build   # build/{{name}}.wasm (asc from sdk/assemblyscript)
//   vivarium test    # runs tests/requests.txt against a local server
//   vivarium dev     # http://{{name}}.localhost:8080/, rebuilt on save
import { Request, Response, KV } from "vivarium";

export function run(): void {
  const req = Request.incoming();
  const route = req.route();
  if (route == "/") {
    Response.text(200, "Hello from {{name}}!\n");
  } else if (route == "/hello") {
    const who = req.query("name");
    Response.text(200, "Hello, " + (who != null ? who : "stranger") + "!\n");
  } else if (route == "/count") {
    Response.json(200, '{"count":' + KV.increment("count").toString() + "}");
  } else {
    Response.text(404, "not found\n");
  }
}
