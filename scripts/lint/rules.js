// streamctl's own lint rules (eslint.config.js loads them as the `streamctl` plugin):
//   - layers: the arrows of docs/architecture.md. src/lib never imports src/services, src/broker or
//     the CLI, and a folder of src/lib (or of src/services) imports only the folders below it in
//     the declared order.
//   - explained-ignore: an error that is swallowed (an empty `catch {}`, `.catch(() => undefined)`,
//     an `'error'` listener that does nothing) carries a one-line comment saying why that is right.
import path from 'node:path'
import {fileURLToPath} from 'node:url'

/** The repository's root, whatever directory ESLint runs from. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** `src/lib/load/profile.ts` → {area: 'lib', folder: 'load'}; a file at lib's root has no folder. */
function placeOf(file, root) {
  const parts = path.relative(root, file).split(path.sep)
  if (parts[0] === '..' || parts.length < 2) return undefined
  return {area: parts[0], folder: parts.length > 2 ? parts[1] : undefined}
}

const layers = {
  meta: {
    type: 'problem',
    docs: {description: 'imports follow the layers of docs/architecture.md'},
    schema: [
      {
        type: 'object',
        properties: {
          root: {type: 'string'},
          forbidden: {type: 'object', additionalProperties: {type: 'array', items: {type: 'string'}}},
          order: {type: 'object', additionalProperties: {type: 'array', items: {type: 'string'}}},
        },
        additionalProperties: false,
      },
    ],
    messages: {
      forbidden: '{{from}} must not import {{to}} (docs/architecture.md: {{from}} never depends on {{to}})',
      upward:
        '{{area}}/{{from}} must not import {{area}}/{{to}}: {{to}} sits above {{from}} in the layers (move the shared piece down)',
      unplaced: '{{area}}/{{folder}} is not in the layer order of eslint.config.js: add it where it belongs',
    },
  },
  create(context) {
    const {root = 'src', forbidden = {}, order = {}} = context.options[0] ?? {}
    const rootDir = path.resolve(REPO_ROOT, root)
    const here = placeOf(context.filename, rootDir)
    if (!here) return {}
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return
      const there = placeOf(path.resolve(path.dirname(context.filename), spec), rootDir)
      if (!there) return
      if ((forbidden[here.area] ?? []).includes(there.area))
        return context.report({node, messageId: 'forbidden', data: {from: `src/${here.area}`, to: `src/${there.area}`}})
      const ranks = order[here.area]
      if (!ranks || here.area !== there.area || !here.folder || !there.folder || here.folder === there.folder) return
      const from = ranks.indexOf(here.folder)
      const to = ranks.indexOf(there.folder)
      const area = here.area
      if (from < 0) return context.report({node, messageId: 'unplaced', data: {area, folder: here.folder}})
      if (to < 0) return context.report({node, messageId: 'unplaced', data: {area, folder: there.folder}})
      if (to > from) context.report({node, messageId: 'upward', data: {area, from: here.folder, to: there.folder}})
    }
    const fromSource = (node) => node.source && check(node.source, node.source.value)
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    }
  },
}

/** `() => undefined`, `() => null`, `() => {}`, `() => void 0`: a handler that drops the error. */
function dropsTheError(handler, sourceCode) {
  if (handler?.type !== 'ArrowFunctionExpression' && handler?.type !== 'FunctionExpression') return false
  const body = handler.body
  if (body.type === 'BlockStatement') return body.body.length === 0 && sourceCode.getCommentsInside(body).length === 0
  if (body.type === 'Identifier') return body.name === 'undefined'
  if (body.type === 'Literal') return body.value === null
  return body.type === 'UnaryExpression' && body.operator === 'void' && body.argument.type === 'Literal'
}

/** The argument of a call that receives an error: `.catch(h)`, `.then(ok, h)`, `.on('error', h)`. */
function errorHandlerOf(method, args) {
  if (method === 'catch') return args[0]
  if (method === 'then') return args[1]
  const isErrorEvent = args[0]?.type === 'Literal' && args[0].value === 'error'
  return (method === 'on' || method === 'once') && isErrorEvent ? args[1] : undefined
}

const explainedIgnore = {
  meta: {
    type: 'suggestion',
    docs: {description: 'a swallowed error says why ignoring it is right'},
    schema: [],
    messages: {
      silent:
        'this ignores an error without saying why: handle it, log it at debug with a reason, or add a one-line comment (inside the block, at the end of the line, or on the line above)',
    },
  },
  create(context) {
    const sourceCode = context.sourceCode
    const comments = sourceCode.getAllComments()
    // A comment inside the handler, at the end of its last line, or on the line directly above its first.
    const explained = (handler) =>
      comments.some(
        (comment) =>
          (comment.loc.start.line >= handler.loc.start.line && comment.loc.end.line <= handler.loc.end.line) ||
          comment.loc.start.line === handler.loc.end.line ||
          comment.loc.end.line === handler.loc.start.line - 1,
      )
    return {
      CatchClause(node) {
        if (node.body.body.length === 0 && sourceCode.getCommentsInside(node.body).length === 0)
          context.report({node, messageId: 'silent'})
      },
      CallExpression(node) {
        const callee = node.callee
        if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') return
        const handler = errorHandlerOf(callee.property.name, node.arguments)
        if (handler && dropsTheError(handler, sourceCode) && !explained(handler))
          context.report({node: handler, messageId: 'silent'})
      },
    }
  },
}

export default {meta: {name: 'streamctl'}, rules: {layers, 'explained-ignore': explainedIgnore}}
