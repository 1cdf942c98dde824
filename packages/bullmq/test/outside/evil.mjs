// A module no test worker allows: if it ever runs, it leaves a marker file.
import { writeFileSync } from "node:fs";

writeFileSync(process.env.AIO_EVIL_MARKER ?? "/dev/null", "module body ran\n");

export function run(marker) {
  writeFileSync(marker, "function ran\n");
  return "ran";
}
