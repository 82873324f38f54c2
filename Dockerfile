# syntax=docker/dockerfile:1
# Higgsbot: one image, roles by flag (`start --role all|bot|worker`).

# --- build: install everything, compile TypeScript, then drop dev dependencies ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
# The web chat: its sources and the esbuild script that bundles them into dist/web.
COPY web ./web
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev --ignore-scripts

# --- runtime: Node 24 LTS, production dependencies and compiled code only, non-root ---
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    MEDIA_DIR=/app/media \
    DATA_DIR=/app/data \
    HTTP_PORT=8080
WORKDIR /app
# /app/data holds the embedded history database of a one-process install (no DATABASE_URL).
RUN mkdir -p /app/media /app/data && chown node:node /app/media /app/data
COPY --chown=node:node package.json ./
COPY --chown=node:node bin ./bin
COPY --chown=node:node commands ./commands
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 8080
VOLUME ["/app/media", "/app/data"]
# Liveness: every role serves /healthz on HTTP_PORT. The slim image has no curl, so Node's own fetch asks;
# exec form (no shell), and the port is read inside Node because exec form expands no variables.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1's child-free process and receives SIGTERM for a graceful shutdown.
ENTRYPOINT ["node", "bin/higgsbot.js"]
CMD ["start", "--role", "all"]
