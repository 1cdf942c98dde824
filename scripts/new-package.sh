#!/usr/bin/env bash
# Scaffolds packages/<name> with the manifest, build, test and docs config every
# @aio package shares. Usage: scripts/new-package.sh NAME "description" [extra-entry]
set -euo pipefail
name=$1; desc=$2; extra_entry=${3:-}
d=packages/$name
[ -e "$d/package.json" ] && { echo "$d exists" >&2; exit 1; }
mkdir -p "$d/src/internal" "$d/test"
exports='".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" },'
entries='"src/index.ts"'
if [ -n "$extra_entry" ]; then
  exports="$exports
    \"./$extra_entry\": { \"types\": \"./dist/$extra_entry.d.ts\", \"default\": \"./dist/$extra_entry.js\" },"
  entries="$entries, \"src/$extra_entry.ts\""
fi
cat > "$d/package.json" <<EOF
{
  "name": "@aio/$name",
  "version": "0.0.0",
  "description": "$desc",
  "keywords": ["asyncio", "event-loop", "async", "cancellation"],
  "license": "MIT",
  "repository": { "type": "git", "url": "git+https://github.com/aio-ts/aio.git", "directory": "packages/$name" },
  "type": "module",
  "sideEffects": false,
  "engines": { "node": ">=20.19" },
  "exports": {
    $exports
    "./package.json": "./package.json",
    "./internal/*": null
  },
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "files": ["dist", "README.md", "CHANGELOG.md"],
  "scripts": {
    "build": "tsup",
    "test": "vitest run",
    "typecheck": "tsc -p tsconfig.json --noEmit"
  },
  "dependencies": { "@aio/core": "workspace:^" }
}
EOF
cat > "$d/tsconfig.json" <<'EOF'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist" },
  "include": ["src"]
}
EOF
cat > "$d/tsup.config.ts" <<EOF
import { defineConfig } from "tsup";

export default defineConfig({
  entry: [$entries],
  format: ["esm"],
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: false,
});
EOF
cat > "$d/vitest.config.ts" <<'EOF'
import { packageConfig } from "../../vitest.shared.ts";

export default packageConfig(import.meta.dirname);
EOF
cat > "$d/typedoc.json" <<EOF
{
  "\$schema": "https://typedoc.org/schema.json",
  "entryPoints": [$entries],
  "tsconfig": "tsconfig.json"
}
EOF
echo "created $d"
