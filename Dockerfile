# One image for every EvalVault service; the first argument chooses what runs:
#   docker run evalvault gateway|runs|registry|memory|audit|notifier|migrate|kafka-topics
# Build: docker build -t evalvault . (no container engine on the CI machines: CI checks this file's
# entry points and the manifests that use it, see test/deploy and docs/operations.md "Deploy").

FROM node:24-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
COPY . .
RUN npm ci --no-audit --no-fund && npm run build

# Production dependencies only, and built output only: no sources, tests or dev tools.
FROM build AS prune
RUN npm prune --omit=dev --no-audit --no-fund \
 && find libs services apps infra -mindepth 2 -maxdepth 2 \( -name src -o -name test \) -prune -exec rm -rf {} + \
 && rm -rf docs examples test .ci .nx

FROM node:24-slim AS runtime
WORKDIR /app
# jemalloc as the services' allocator (docs/operations.md, "Memory"): glibc's malloc keeps what a busy
# service frees. Debian's libjemalloc2, linked at one path whatever the architecture.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s "/usr/lib/$(uname -m)-linux-gnu/libjemalloc.so.2" /usr/local/lib/libjemalloc.so.2
ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2
# Containers listen on every interface, all on 8080 (the probes, Services and scrape configs assume it);
# a young generation of 2 x 16 MB as in docs/operations.md ("Memory").
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 LOG_FORMAT=json NODE_OPTIONS=--max-semi-space-size=16 MALLOC_ARENA_MAX=2
# Owned by root, run as the image's unprivileged `node` user (uid 1000): the process cannot change its code.
COPY --from=prune /app /app
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "infra/docker/entrypoint.mjs"]
CMD ["gateway"]
