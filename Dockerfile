# The streamctl image: the CLI and the reference stack's services (`streamctl serve <service>`),
# used by stacks/reference/compose.yaml.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
# The build precompiles the JSON schemas (scripts/build) and checks the reference stack's event
# schemas (stacks/reference/schemas) once, so neither is compiled at run time.
COPY scripts/build ./scripts/build
COPY stacks/reference/schemas ./stacks/reference/schemas
# The same build as `npm run build` (which also copies the tagger's .proto into dist/).
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production CI=1
WORKDIR /app
COPY --from=build /app/package.json /app/oclif.manifest.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY stacks ./stacks
# `streamctl` on PATH: the Indexed Job of `bench --k8s-job` runs `streamctl bench …` in a shell.
RUN ln -s /app/bin/run.js /usr/local/bin/streamctl
USER node
ENTRYPOINT ["node", "/app/bin/run.js"]
CMD ["serve", "all"]
