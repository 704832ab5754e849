#!/usr/bin/env bash
# Regenerates the Python client's generated package (evalvault_api/) from the OpenAPI document the
# gateway serves, and records what it was generated from (GENERATED.sha256). Run it after any change
# to the REST API; `npm test` fails while the checked-in client is older than the document.
# Needs Java 17+ and Maven (openapi-generator's CLI jar comes from Maven Central into a cache) and a
# built gateway (npm run build).
#   bash clients/python/generate.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version=7.25.0
generator=python-pydantic-v1   # pydantic 1.x: the one Debian 12 packages (python3-pydantic)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/evalvault/openapi-generator"
jar="$cache/openapi-generator-cli-$version.jar"

if [[ ! -f "$jar" ]]; then
  command -v mvn >/dev/null || { echo "generate.sh: Maven (mvn) is needed to fetch openapi-generator" >&2; exit 1; }
  mkdir -p "$cache"
  mvn -q -B dependency:copy -Dartifact="org.openapitools:openapi-generator-cli:$version" -DoutputDirectory="$cache"
fi

node "$root/services/gateway/dist/print-openapi.js" > "$here/openapi.json"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
java -jar "$jar" generate --generator-name "$generator" --input-spec "$here/openapi.json" --output "$work" \
  --package-name evalvault_api --additional-properties packageVersion=0.1.0,projectName=evalvault-api \
  --global-property apiTests=false,modelTests=false,apiDocs=false,modelDocs=false >"$work.log" 2>&1 \
  || { cat "$work.log" >&2; rm -f "$work.log"; exit 1; }
rm -f "$work.log"

rm -rf "$here/evalvault_api"
cp -r "$work/evalvault_api" "$here/evalvault_api"

# What the package was generated from and what it holds: the check in npm test recomputes both.
cd "$here"
{
  echo "# openapi-generator $version, generator $generator; regenerate: bash clients/python/generate.sh"
  sha256sum openapi.json
  find evalvault_api -type f -name '*.py' -o -type f -name 'py.typed' | LC_ALL=C sort | xargs sha256sum
} > GENERATED.sha256
echo "generated clients/python/evalvault_api from openapi.json ($(grep -c . GENERATED.sha256) lines in GENERATED.sha256)"
