#!/usr/bin/env bash
# Regenerates the TypeScript client's types (src/generated/openapi.ts) from the OpenAPI document the
# gateway serves, and keeps the document they were generated from (openapi.json). Run it after any
# change to the REST API; `npm test` fails while the checked-in types are older than the document
# (test/clients/typescript-client-current.spec.ts). Needs a built gateway and client: `npm run
# client:generate` builds first, then runs this.
#   bash libs/client/generate.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

for built in services/gateway/dist/print-openapi.js libs/client/dist/generate/main.js; do
  [[ -f "$root/$built" ]] || { echo "generate.sh: $built is missing: npm run build first" >&2; exit 1; }
done

node "$root/services/gateway/dist/print-openapi.js" > "$here/openapi.json"
node "$root/libs/client/dist/generate/main.js" "$here/openapi.json" "$here/src/generated/openapi.ts"
echo "generated libs/client/src/generated/openapi.ts ($(wc -l < "$here/src/generated/openapi.ts") lines) from openapi.json"
