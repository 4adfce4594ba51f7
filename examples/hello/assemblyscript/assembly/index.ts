// The hello example in AssemblyScript: a fixed greeting.
import { Response } from "vivarium";

export function run(): void {
  Response.text(200, "Hello, world!\n");
}
