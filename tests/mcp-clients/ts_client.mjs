#!/usr/bin/env node
// Drive `weft mcp serve` with the official MCP TypeScript SDK (npm `@modelcontextprotocol/sdk`)
// and print what it saw as one JSON report on stdout; tests/e2e/mcp.rs asserts on it.
//
//   node ts_client.mjs --weft target/debug/weft --skill demo --reload-dir WS/skills
//   node ts_client.mjs --url http://127.0.0.1:PORT/mcp --token T --skill demo
//
// Any failure is reported as {"error": ...} with exit code 1.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

const NEW_SKILL = 'ts-hot-reloaded';

const { values: args } = parseArgs({
  options: {
    weft: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    skill: { type: 'string' },
    'reload-dir': { type: 'string' },
  },
});

const text = (result) => ({
  is_error: Boolean(result.isError),
  text: result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n'),
});

async function run() {
  if (!args.skill || (!args.weft && !args.url)) {
    throw new Error('usage: ts_client.mjs (--weft BIN | --url URL [--token T]) --skill NAME [--reload-dir DIR]');
  }
  const transport = args.url
    ? new StreamableHTTPClientTransport(new URL(args.url), {
        requestInit: args.token ? { headers: { Authorization: `Bearer ${args.token}` } } : undefined,
      })
    : new StdioClientTransport({ command: args.weft, args: ['mcp', 'serve'], env: { ...process.env }, stderr: 'inherit' });

  // The SDK has no getter for the negotiated version: read it off the initialize result.
  let negotiated = null;
  let onmessage;
  Object.defineProperty(transport, 'onmessage', {
    get: () => onmessage,
    set: (handler) => {
      onmessage = (message, extra) => {
        if (negotiated === null && typeof message?.result?.protocolVersion === 'string') {
          negotiated = message.result.protocolVersion;
        }
        handler?.(message, extra);
      };
    },
  });

  const client = new Client({ name: 'clawft-ts-e2e', version: '1.0.0' }, { capabilities: {} });
  let changed;
  const toolsChanged = new Promise((resolve) => {
    changed = resolve;
  });
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => changed());
  await client.connect(transport);

  const report = {};
  report.protocol_version = negotiated;
  report.server_name = client.getServerVersion()?.name;
  report.capabilities = client.getServerCapabilities();

  const listed = await client.listTools();
  report.tools = Object.fromEntries(
    listed.tools.map((t) => [t.name, { description: t.description, input_schema: t.inputSchema, annotations: t.annotations ?? null }]),
  );
  report.write = text(await client.callTool({ name: 'write_file', arguments: { path: 'from-ts.txt', content: 'hello from ts' } }));
  report.read = text(await client.callTool({ name: 'read_file', arguments: { path: 'from-ts.txt' } }));
  report.failing = text(await client.callTool({ name: 'read_file', arguments: { path: 'no/such/file.txt' } }));
  report.skill_call = text(await client.callTool({ name: `skill__${args.skill}`, arguments: { arguments: 'ts args' } }));
  try {
    report.unknown_tool = { result: text(await client.callTool({ name: 'no_such_tool', arguments: {} })) };
  } catch (err) {
    report.unknown_tool = { error: err.constructor.name, code: err.code ?? null, message: String(err.message) };
  }

  const prompts = await client.listPrompts();
  report.prompts = Object.fromEntries(prompts.prompts.map((p) => [p.name, p.arguments ?? []]));
  const got = await client.getPrompt({ name: args.skill, arguments: { arguments: 'prompt args' } });
  report.prompt_text = got.messages.filter((m) => m.content.type === 'text').map((m) => m.content.text);

  const resources = await client.listResources();
  report.resources = resources.resources.map((r) => r.uri);
  const read = await client.readResource({ uri: `skill://${args.skill}/SKILL.md` });
  report.resource_text = read.contents[0]?.text ?? null;

  if (args['reload-dir']) {
    const folder = join(args['reload-dir'], NEW_SKILL);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'SKILL.md'), `---\nname: ${NEW_SKILL}\ndescription: Written while the server runs.\n---\nHot.\n`);
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('no tools/list_changed within 15 s')), 15000);
    });
    await Promise.race([toolsChanged, timeout]);
    clearTimeout(timer);
    report.list_changed = { via: 'notification', event: 'notifications/tools/list_changed' };
    report.tools_after = (await client.listTools()).tools.map((t) => t.name);
  }
  await client.close();
  return report;
}

run().then(
  (report) => {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exit(0);
  },
  (err) => {
    process.stdout.write(`${JSON.stringify({ error: `${err?.name}: ${err?.message}`, trace: String(err?.stack) })}\n`);
    process.exit(1);
  },
);
