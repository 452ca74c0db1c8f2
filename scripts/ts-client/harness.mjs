#!/usr/bin/env node
// Calls MCP tools through an official TypeScript SDK client, so that every structured result is
// validated against the tool's outputSchema by the SDK itself (Ajv + ajv-formats with
// validateFormats: true in both):
//   --sdk 1 (default): @modelcontextprotocol/sdk 1.x; Client.listTools -> cacheToolMetadata compiles
//                      the validators, Client.callTool applies them
//                      (node_modules/@modelcontextprotocol/sdk/dist/esm/client/index.js).
//   --sdk 2:           @modelcontextprotocol/client 2.x; Client.callTool compiles/applies the
//                      validator from the cached tools/list. Speaks the 2026-07-28 revision
//                      (server/discover, input_required + requestState) with --protocol auto|2026-07-28.
//
// Usage:
//   node harness.mjs --stdio "<command> <args...>" [--call NAME 'JSON'] ... [options]
//   node harness.mjs --http <url> [--call NAME 'JSON'] ... [options]
//   options: --sdk 1|2, --protocol legacy|auto|2026-07-28 (sdk 2 only), --timeout MS, --verbose,
//            --quiet-server
//
// Without --call it runs the agenda-mcp scenario: find_slots {"limit":3},
// find_slots {"what":"knippen"}, then book_slot with the first slot's token.
// In --call arguments the string "$SLOT" is replaced by the first slot token seen so far.
//
// stdout: one JSON line per tool call: {"tool", "args", "ok", "error"}.
// stderr: diagnostics (negotiated protocol version, server info, tools, elicitations).
// Exit code: 0 only if every call succeeded (no protocol error, no schema error, no isError);
// 1 if any call failed; 2 for usage or connection errors.

import { readFileSync } from 'node:fs';

const SLOT_PLACEHOLDER = '$SLOT';
const CONFIRM = { confirm: true };
const BOOKING = { name: 'Anna de Vries', email: 'anna@example.com' };

const USAGE = `usage: node harness.mjs (--stdio "<command> <args...>" | --http <url>) [options]
  --call NAME 'JSON'   call tool NAME with JSON arguments (repeatable; default: agenda-mcp scenario)
                       a string argument "$SLOT" becomes the first slot token seen so far
  --sdk 1|2            1 = @modelcontextprotocol/sdk 1.x (default), 2 = @modelcontextprotocol/client 2.x
  --protocol MODE      sdk 2 only: legacy (2025-era initialize; default), auto (server/discover,
                       falls back to initialize) or a pinned revision such as 2026-07-28
  --timeout MS         per-request timeout (default 60000)
  --verbose            also print each structuredContent / tool result on stderr
  --quiet-server       discard the stdio server's stderr (default: passed through)`;

function log(...parts) {
    process.stderr.write(`[harness] ${parts.join(' ')}\n`);
}

function fail(message) {
    process.stderr.write(`${message}\n${USAGE}\n`);
    process.exit(2);
}

// Split a command line into words; honours '...' and "..." quoting and backslash escapes.
function splitCommand(line) {
    const words = [];
    let word = null;
    let quote = null;
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quote) {
            if (c === quote) quote = null;
            else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
            else word += c;
        } else if (c === '"' || c === "'") {
            quote = c;
            word ??= '';
        } else if (c === '\\' && i + 1 < line.length) {
            word = (word ?? '') + line[++i];
        } else if (/\s/.test(c)) {
            if (word !== null) words.push(word);
            word = null;
        } else {
            word = (word ?? '') + c;
        }
    }
    if (quote) fail(`unterminated quote in --stdio command: ${line}`);
    if (word !== null) words.push(word);
    return words;
}

function parseArgs(argv) {
    const opts = { calls: [], sdk: '1', protocol: undefined, timeout: 60000, verbose: false, quietServer: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const next = () => {
            if (i + 1 >= argv.length) fail(`${arg} needs a value`);
            return argv[++i];
        };
        switch (arg) {
            case '--stdio':
                opts.stdio = splitCommand(next());
                if (opts.stdio.length === 0) fail('--stdio needs a command');
                break;
            case '--http':
                try {
                    opts.http = new URL(next());
                } catch {
                    fail(`--http needs an absolute URL, e.g. http://127.0.0.1:8000/mcp`);
                }
                break;
            case '--call': {
                const name = next();
                const text = next();
                let args;
                try {
                    args = JSON.parse(text);
                } catch (e) {
                    fail(`--call ${name}: arguments are not JSON: ${e.message}`);
                }
                if (args === null || typeof args !== 'object' || Array.isArray(args)) fail(`--call ${name}: arguments must be a JSON object`);
                opts.calls.push({ name, args });
                break;
            }
            case '--sdk':
                opts.sdk = next();
                if (opts.sdk !== '1' && opts.sdk !== '2') fail('--sdk must be 1 or 2');
                break;
            case '--protocol':
                opts.protocol = next();
                break;
            case '--timeout':
                opts.timeout = Number(next());
                if (!Number.isFinite(opts.timeout) || opts.timeout <= 0) fail('--timeout must be a positive number of milliseconds');
                break;
            case '--verbose':
                opts.verbose = true;
                break;
            case '--quiet-server':
                opts.quietServer = true;
                break;
            case '-h':
            case '--help':
                process.stdout.write(`${USAGE}\n`);
                process.exit(0);
            default:
                fail(`unknown argument: ${arg}`);
        }
    }
    if (!opts.stdio === !opts.http) fail('give exactly one of --stdio or --http');
    if (opts.protocol !== undefined && opts.sdk !== '2') fail('--protocol needs --sdk 2 (SDK 1.x only speaks the 2025-era handshake)');
    if (opts.calls.length === 0) {
        opts.calls = [
            { name: 'find_slots', args: { limit: 3 } },
            { name: 'find_slots', args: { what: 'knippen' } },
            { name: 'book_slot', args: { slot: SLOT_PLACEHOLDER, ...BOOKING } }
        ];
    }
    return opts;
}

// Records the initialize result as it arrives, so the negotiated protocol version can be
// reported for stdio too (SDK 1.x only hands it to HTTP transports via setProtocolVersion).
function watchInitialize(transport, seen) {
    let handler;
    Object.defineProperty(transport, 'onmessage', {
        configurable: true,
        get: () => handler,
        set: fn => {
            handler = fn && ((message, extra) => {
                if (message?.result?.protocolVersion && !seen.protocolVersion) seen.protocolVersion = message.result.protocolVersion;
                return fn(message, extra);
            });
        }
    });
}

// The first slot token in a structured result: {"slots":[{"slot":"..."}]} or any nested "slot" string.
function firstSlotToken(value) {
    if (Array.isArray(value)) {
        for (const item of value) {
            const token = firstSlotToken(item);
            if (token) return token;
        }
    } else if (value && typeof value === 'object') {
        if (typeof value.slot === 'string') return value.slot;
        for (const key of Object.keys(value)) {
            const token = firstSlotToken(value[key]);
            if (token) return token;
        }
    }
    return undefined;
}

function substituteSlot(value, token) {
    if (value === SLOT_PLACEHOLDER) return token;
    if (Array.isArray(value)) return value.map(v => substituteSlot(v, token));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteSlot(v, token)]));
    return value;
}

function usesSlot(value) {
    return JSON.stringify(value).includes(JSON.stringify(SLOT_PLACEHOLDER));
}

function resultText(result) {
    return (result.content ?? []).filter(c => c.type === 'text').map(c => c.text).join('\n') || JSON.stringify(result);
}

function errorMessage(error) {
    return error instanceof Error ? error.message : String(error);
}

function sdkVersion(name) {
    return JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
}

function elicitationHandler(request) {
    log(`elicitation (${request.params.mode ?? 'form'}): ${JSON.stringify(request.params.message)} -> accept ${JSON.stringify(CONFIRM)}`);
    return { action: 'accept', content: { ...CONFIRM } };
}

// The two SDK generations behind one small interface: client, transport, describe(), callTool(),
// rawCallTool() (the same request without output validation).
async function makeSdk(opts) {
    const clientInfo = { name: 'agenda-mcp-ts-harness', version: '0.1.0' };
    const capabilities = { elicitation: { form: {} } };
    const stdioParams = opts.stdio && {
        command: opts.stdio[0],
        args: opts.stdio.slice(1),
        env: { ...process.env },
        stderr: opts.quietServer ? 'ignore' : 'inherit'
    };
    if (opts.sdk === '1') {
        const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
        const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
        const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
        const { CallToolResultSchema, ElicitRequestSchema, LATEST_PROTOCOL_VERSION } = await import('@modelcontextprotocol/sdk/types.js');
        const client = new Client(clientInfo, { capabilities });
        client.setRequestHandler(ElicitRequestSchema, elicitationHandler);
        const transport = stdioParams ? new StdioClientTransport(stdioParams) : new StreamableHTTPClientTransport(opts.http);
        const seen = {};
        watchInitialize(transport, seen);
        return {
            client,
            transport,
            describe: () => `sdk @modelcontextprotocol/sdk ${sdkVersion('@modelcontextprotocol/sdk')}, client offers protocol ${LATEST_PROTOCOL_VERSION}, negotiated ${seen.protocolVersion ?? '?'}`,
            callTool: (params, requestOptions) => client.callTool(params, CallToolResultSchema, requestOptions),
            rawCallTool: (params, requestOptions) => client.request({ method: 'tools/call', params }, CallToolResultSchema, requestOptions)
        };
    }
    const { Client, StreamableHTTPClientTransport, LATEST_PROTOCOL_VERSION } = await import('@modelcontextprotocol/client');
    const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
    const protocol = opts.protocol ?? 'legacy';
    const mode = protocol === 'legacy' || protocol === 'auto' ? protocol : { pin: protocol };
    const client = new Client(clientInfo, { capabilities, versionNegotiation: { mode } });
    client.setRequestHandler('elicitation/create', elicitationHandler);
    const transport = stdioParams ? new StdioClientTransport(stdioParams) : new StreamableHTTPClientTransport(opts.http);
    return {
        client,
        transport,
        describe: () =>
            `sdk @modelcontextprotocol/client ${sdkVersion('@modelcontextprotocol/client')}, negotiation ${protocol} (legacy offers ${LATEST_PROTOCOL_VERSION}), ` +
            `negotiated ${client.getNegotiatedProtocolVersion() ?? '?'} (${client.getProtocolEra() ?? '?'} era)`,
        callTool: (params, requestOptions) => client.callTool(params, requestOptions),
        rawCallTool: (params, requestOptions) => client.request({ method: 'tools/call', params }, requestOptions)
    };
}

async function main() {
    const opts = parseArgs(process.argv.slice(2));
    const sdk = await makeSdk(opts);
    const { client, transport } = sdk;
    client.onerror = error => log(`client error: ${errorMessage(error)}`);

    const requestOptions = { timeout: opts.timeout };
    try {
        await client.connect(transport, requestOptions);
    } catch (error) {
        log(`could not connect: ${errorMessage(error)}`);
        process.exit(2);
    }
    const server = client.getServerVersion();
    log(sdk.describe());
    log(`server ${server?.name} ${server?.version}`);

    let allOk = true;
    try {
        // tools/list gives the SDK every tool's outputSchema; SDK 1.x compiles its validators only
        // here, so without this call callTool would validate nothing.
        const { tools } = await client.listTools(undefined, requestOptions);
        log(`${tools.length} tools, ${tools.filter(t => t.outputSchema).length} with an outputSchema`);
        if (opts.verbose) log(`tools: ${tools.map(t => `${t.name}${t.outputSchema ? '' : ' (no outputSchema)'}`).join(', ')}`);
        for (const { name } of opts.calls) {
            const tool = tools.find(t => t.name === name);
            if (!tool) log(`warning: server lists no tool named ${name}`);
            else if (!tool.outputSchema) log(`warning: ${name} has no outputSchema, so nothing to validate`);
        }

        let slotToken;
        for (const call of opts.calls) {
            let args = call.args;
            const line = { tool: call.name, args, ok: false, error: null };
            if (usesSlot(args)) {
                if (!slotToken) {
                    line.error = `no slot token available for ${SLOT_PLACEHOLDER} (no earlier call returned a slot)`;
                    allOk = false;
                    process.stdout.write(`${JSON.stringify(line)}\n`);
                    continue;
                }
                args = substituteSlot(args, slotToken);
                line.args = args;
            }
            try {
                const result = await sdk.callTool({ name: call.name, arguments: args }, requestOptions);
                if (opts.verbose) log(`${call.name} result: ${JSON.stringify(result.structuredContent ?? result)}`);
                if (result.isError) {
                    line.error = `tool returned isError: ${resultText(result)}`;
                } else {
                    line.ok = true;
                    slotToken ??= firstSlotToken(result.structuredContent);
                }
            } catch (error) {
                line.error = errorMessage(error);
                if (error?.code !== undefined && !line.error.includes(String(error.code))) line.error = `${error.code}: ${line.error}`;
                // A schema failure hides the result; for a read-only tool, fetch it once more without
                // validation, to show it (--verbose) and to get a slot token for the calls that
                // follow. The repeat is not reported as a call; tools that change data are never repeated.
                const readOnly = tools.find(t => t.name === call.name)?.annotations?.readOnlyHint === true;
                if (readOnly && /output schema|structured content/i.test(line.error) && (opts.verbose || !slotToken)) {
                    try {
                        const raw = await sdk.rawCallTool({ name: call.name, arguments: args }, requestOptions);
                        if (opts.verbose) log(`${call.name} unvalidated result: ${JSON.stringify(raw.structuredContent ?? raw)}`);
                        if (!slotToken) {
                            slotToken = firstSlotToken(raw.structuredContent);
                            if (slotToken) log(`${call.name}: took slot token from an unvalidated repeat of the call`);
                        }
                    } catch (rawError) {
                        log(`${call.name}: unvalidated repeat failed too: ${errorMessage(rawError)}`);
                    }
                }
            }
            allOk &&= line.ok;
            process.stdout.write(`${JSON.stringify(line)}\n`);
        }
    } catch (error) {
        log(`tools/list failed: ${errorMessage(error)}`);
        allOk = false;
    } finally {
        if (transport.terminateSession) await transport.terminateSession().catch(() => {});
        await client.close().catch(() => {});
    }
    process.exit(allOk ? 0 : 1);
}

main();
