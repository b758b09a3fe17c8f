// Parse-only extractor for the importer (generator/importer).
//
// Usage: node extract.mjs NODE_DIR < request.json, where NODE_DIR is the folder `npm ci` installed
// this folder's package-lock.json into (the importer's cache: typescript is loaded from there, so
// this script runs from the source tree or the wheel unchanged).
//
// Reads a JSON request on stdin, {"files": ["/abs/path/a.d.ts", ...]}, parses each file with
// TypeScript's own parser (ts.createSourceFile: no program, no type checker, no file resolution)
// and prints one JSON document on stdout: the declarations, their members and type expressions as
// a neutral tree, and every comment of each file with its position.  Nothing is decided here:
// which comment documents what, how JSDoc tags split, what a platform value means, which
// duplicate wins are all decided in Python, where they are tested.
//
// Positions: `pos` is the full start (leading trivia included), `start` the first token, `end`
// the end, all as UTF-16 offsets into the file's text; `line` and `column` are 1-based, for
// `start`.  `text` is the node's source text.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const ts = createRequire(join(process.argv[2] ?? ".", "package.json"))("typescript");

const FORMAT = 1;

// TypeScript's name of a syntax kind; `ts.SyntaxKind[kind]` can give a range marker instead
// (`FirstLiteralToken` for `NumericLiteral`).
const SYNTAX_NAMES = new Map();
for (const [name, value] of Object.entries(ts.SyntaxKind)) {
  if (typeof value !== "number") continue;
  if (!SYNTAX_NAMES.has(value) || /^(First|Last)/.test(SYNTAX_NAMES.get(value))) {
    SYNTAX_NAMES.set(value, name);
  }
}
const syntaxName = (kind) => SYNTAX_NAMES.get(kind) ?? String(kind);

function main() {
  const request = JSON.parse(readFileSync(0, "utf8"));
  const files = request.files.map(extractFile);
  process.stdout.write(JSON.stringify({ format: FORMAT, typescript: ts.version, files }));
  process.stdout.write("\n");
}

function extractFile(path) {
  const text = readFileSync(path, "utf8");
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const ctx = { sf, text, tsTags: new Map() };
  const statements = sf.statements.map((s) => statement(ctx, s));
  const comments = allComments(ctx);
  return {
    path,
    crlf: text.includes("\r\n"),
    parseDiagnostics: sf.parseDiagnostics.map((d) => ({
      message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
      ...at(sf, d.start ?? 0),
    })),
    statements,
    comments,
  };
}

function at(sf, pos) {
  const { line, character } = sf.getLineAndCharacterOfPosition(pos);
  return { line: line + 1, column: character + 1 };
}

function span(ctx, node) {
  const start = node.getStart(ctx.sf);
  return { pos: node.pos, start, end: node.end, ...at(ctx.sf, start) };
}

function src(ctx, node) {
  return node ? node.getText(ctx.sf) : null;
}

// TypeScript's own reading of the JSDoc blocks it attaches to a node (not to union members):
// tag names by comment position, for Python to compare with its own reading.
function noteJsDoc(ctx, node) {
  for (const doc of ts.getJSDocCommentsAndTags(node)) {
    if (doc.kind !== ts.SyntaxKind.JSDoc) continue;
    const tags = (doc.tags ?? []).map((t) => ({ name: t.tagName.text, pos: t.getStart(ctx.sf) }));
    ctx.tsTags.set(doc.pos, tags);
  }
}

function modifiers(node) {
  return (ts.canHaveModifiers(node) ? ts.getModifiers(node) ?? [] : []).map((m) =>
    ts.tokenToString(m.kind),
  );
}

function typeParameters(ctx, node) {
  return (node.typeParameters ?? []).map((p) => ({
    name: p.name.text,
    constraint: p.constraint ? type(ctx, p.constraint) : null,
    default: p.default ? type(ctx, p.default) : null,
    ...span(ctx, p),
  }));
}

function heritage(ctx, node) {
  return (node.heritageClauses ?? []).map((h) => ({
    token: ts.tokenToString(h.token),
    types: h.types.map((t) => ({
      text: src(ctx, t),
      expression: src(ctx, t.expression),
      typeArguments: (t.typeArguments ?? []).map((a) => type(ctx, a)),
      ...span(ctx, t),
    })),
  }));
}

function nameOf(ctx, node) {
  if (!node.name) return null;
  if (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name)) return node.name.text;
  if (ts.isStringLiteral(node.name) || ts.isNumericLiteral(node.name)) return node.name.text;
  return src(ctx, node.name);
}

function statement(ctx, node) {
  noteJsDoc(ctx, node);
  const base = { modifiers: modifiers(node), ...span(ctx, node) };
  if (ts.isInterfaceDeclaration(node)) {
    return {
      kind: "interface",
      name: node.name.text,
      typeParameters: typeParameters(ctx, node),
      heritage: heritage(ctx, node),
      members: node.members.map((m) => member(ctx, m)),
      ...base,
    };
  }
  if (ts.isTypeAliasDeclaration(node)) {
    return {
      kind: "typeAlias",
      name: node.name.text,
      typeParameters: typeParameters(ctx, node),
      type: type(ctx, node.type),
      ...base,
    };
  }
  if (ts.isClassDeclaration(node)) {
    return {
      kind: "class",
      name: node.name ? node.name.text : null,
      typeParameters: typeParameters(ctx, node),
      heritage: heritage(ctx, node),
      members: node.members.map((m) => member(ctx, m)),
      ...base,
    };
  }
  if (ts.isFunctionDeclaration(node)) {
    return { kind: "function", name: node.name ? node.name.text : null, ...signature(ctx, node), ...base };
  }
  if (ts.isVariableStatement(node)) {
    return {
      kind: "variable",
      declarations: node.declarationList.declarations.map((d) => {
        noteJsDoc(ctx, d);
        return { name: src(ctx, d.name), type: d.type ? type(ctx, d.type) : null, ...span(ctx, d) };
      }),
      ...base,
    };
  }
  if (ts.isEnumDeclaration(node)) {
    return {
      kind: "enum",
      name: node.name.text,
      members: node.members.map((m) => {
        noteJsDoc(ctx, m);
        return { name: src(ctx, m.name), initializer: src(ctx, m.initializer), ...span(ctx, m) };
      }),
      ...base,
    };
  }
  if (ts.isModuleDeclaration(node)) {
    const body = node.body && ts.isModuleBlock(node.body) ? node.body.statements : [];
    return {
      kind: "namespace",
      name: src(ctx, node.name),
      statements: body.map((s) => statement(ctx, s)),
      ...base,
    };
  }
  if (ts.isImportDeclaration(node) || ts.isImportEqualsDeclaration(node)) {
    return { kind: "import", text: src(ctx, node), ...base };
  }
  if (ts.isExportDeclaration(node) || ts.isExportAssignment(node)) {
    return { kind: "export", text: src(ctx, node), ...base };
  }
  return { kind: "other", syntaxKind: syntaxName(node.kind), text: src(ctx, node), ...base };
}

function parameter(ctx, p) {
  noteJsDoc(ctx, p);
  return {
    name: src(ctx, p.name),
    optional: Boolean(p.questionToken) || Boolean(p.initializer),
    rest: Boolean(p.dotDotDotToken),
    type: p.type ? type(ctx, p.type) : null,
    ...span(ctx, p),
  };
}

function signature(ctx, node) {
  return {
    typeParameters: typeParameters(ctx, node),
    parameters: node.parameters.map((p) => parameter(ctx, p)),
    returnType: node.type ? type(ctx, node.type) : null,
  };
}

const MEMBER_KINDS = new Map([
  [ts.SyntaxKind.PropertySignature, "property"],
  [ts.SyntaxKind.PropertyDeclaration, "property"],
  [ts.SyntaxKind.MethodSignature, "method"],
  [ts.SyntaxKind.MethodDeclaration, "method"],
  [ts.SyntaxKind.CallSignature, "call"],
  [ts.SyntaxKind.ConstructSignature, "construct"],
  [ts.SyntaxKind.Constructor, "constructor"],
  [ts.SyntaxKind.GetAccessor, "getter"],
  [ts.SyntaxKind.SetAccessor, "setter"],
  [ts.SyntaxKind.IndexSignature, "index"],
]);

function member(ctx, node) {
  noteJsDoc(ctx, node);
  const kind = MEMBER_KINDS.get(node.kind) ?? "other";
  const base = {
    kind,
    name: nameOf(ctx, node),
    optional: Boolean(node.questionToken),
    modifiers: modifiers(node),
    ...span(ctx, node),
  };
  if (kind === "property") return { ...base, type: node.type ? type(ctx, node.type) : null };
  if (kind === "other") return { ...base, syntaxKind: syntaxName(node.kind), text: src(ctx, node) };
  return { ...base, ...signature(ctx, node) };
}

// A type expression as a neutral tree.  Every node keeps its source text; union members also
// keep their full start (`pos`), so Python can find the comments written before each of them.
function type(ctx, node) {
  const base = { text: src(ctx, node), ...span(ctx, node) };
  switch (node.kind) {
    case ts.SyntaxKind.UnionType:
      return { kind: "union", types: node.types.map((t) => type(ctx, t)), ...base };
    case ts.SyntaxKind.IntersectionType:
      return { kind: "intersection", types: node.types.map((t) => type(ctx, t)), ...base };
    case ts.SyntaxKind.ArrayType:
      return { kind: "array", elementType: type(ctx, node.elementType), ...base };
    case ts.SyntaxKind.ParenthesizedType:
      return { kind: "parenthesized", type: type(ctx, node.type), ...base };
    case ts.SyntaxKind.TypeLiteral:
      return { kind: "typeLiteral", members: node.members.map((m) => member(ctx, m)), ...base };
    case ts.SyntaxKind.FunctionType:
    case ts.SyntaxKind.ConstructorType:
      return {
        kind: node.kind === ts.SyntaxKind.FunctionType ? "function" : "constructor",
        ...signature(ctx, node),
        ...base,
      };
    case ts.SyntaxKind.TypeReference:
      return {
        kind: "reference",
        name: src(ctx, node.typeName),
        typeArguments: (node.typeArguments ?? []).map((a) => type(ctx, a)),
        ...base,
      };
    case ts.SyntaxKind.LiteralType:
      return { kind: "literal", literalKind: syntaxName(node.literal.kind), ...base };
    case ts.SyntaxKind.ThisType:
      return { kind: "this", ...base };
    case ts.SyntaxKind.TupleType:
      return { kind: "tuple", elements: node.elements.map((t) => type(ctx, t)), ...base };
    default:
      if (node.kind >= ts.SyntaxKind.FirstKeyword && node.kind <= ts.SyntaxKind.LastKeyword) {
        return { kind: "keyword", ...base };
      }
      return { kind: "other", syntaxKind: syntaxName(node.kind), ...base };
  }
}

// Every comment of the file once: the leading and trailing comment ranges of every token,
// the end-of-file token included, keyed by position.
function allComments(ctx) {
  const found = new Map();
  const add = (ranges) => {
    for (const r of ranges ?? []) {
      if (found.has(r.pos)) continue;
      found.set(r.pos, {
        kind: r.kind === ts.SyntaxKind.SingleLineCommentTrivia ? "line" : "block",
        text: ctx.text.slice(r.pos, r.end),
        pos: r.pos,
        end: r.end,
        ...at(ctx.sf, r.pos),
        tsTags: ctx.tsTags.get(r.pos) ?? null,
      });
    }
  };
  const visit = (node) => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const children = node.getChildren(ctx.sf);
    if (children.length === 0) {
      add(ts.getLeadingCommentRanges(ctx.text, node.pos));
      add(ts.getTrailingCommentRanges(ctx.text, node.end));
      return;
    }
    children.forEach(visit);
  };
  visit(ctx.sf);
  return [...found.values()].sort((a, b) => a.pos - b.pos);
}

main();
