'use strict';
/**
 * The Node.js execution environment: one process, one invocation at a time (INV-21).
 *
 * Run as `node node_worker.js REQUEST_FD RESPONSE_FD CONFIG_JSON` by lambda_processor.execution.
 * Same protocol as python_worker.py: length-prefixed frames (>II header length, body
 * length; JSON header; raw body) on two dedicated pipes, while fd 1 and 2 are the log
 * pipe. After each invocation an end marker on the log pipe tells the parent that all
 * of the invocation's output has arrived (pipe writes are synchronous on Linux).
 *
 * Behaviour follows the AWS Node.js runtime interface client: handler resolution
 * (INV-51), camelCase context (INV-33), console lines `<ts>\t<requestId>\t<LEVEL>\t<msg>`,
 * async and callback-style handlers, and the `{errorType, errorMessage, trace}` payload.
 * Difference: a callback's result is returned when the callback is called, without
 * waiting for the event loop to drain (callbackWaitsForEmptyEventLoop is not emulated).
 */

const fs = require('fs');
const net = require('net');
const path = require('path');
const util = require('util');
const { pathToFileURL } = require('url');

const requestFd = Number(process.argv[2]);
const responseFd = Number(process.argv[3]);
const config = JSON.parse(process.argv[4]);
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();

let currentRequestId;

// --------------------------------------------------------------------------- frames

function writeAllSync(fd, buffer) {
  let offset = 0;
  while (offset < buffer.length) {
    offset += fs.writeSync(fd, buffer, offset, buffer.length - offset);
  }
}

function writeFrame(header, body) {
  const headerBytes = Buffer.from(JSON.stringify(header));
  const bodyBytes = body || Buffer.alloc(0);
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE(headerBytes.length, 0);
  prefix.writeUInt32BE(bodyBytes.length, 4);
  writeAllSync(responseFd, Buffer.concat([prefix, headerBytes, bodyBytes]));
}

function endOfOutput(marker) {
  writeAllSync(1, Buffer.from(`\x1eLPEND ${marker}\x1e\n`));
}

// --------------------------------------------------------------------------- logging

function logLine(level, args) {
  const message = util.format(...args);
  const line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}`.replace(/\r?\n/g, '\r');
  writeAllSync(1, Buffer.from(line + '\n'));
}

function patchConsole() {
  console.log = (...args) => logLine('INFO', args);
  console.info = (...args) => logLine('INFO', args);
  console.warn = (...args) => logLine('WARN', args);
  console.error = (...args) => logLine('ERROR', args);
  console.debug = (...args) => logLine('DEBUG', args);
  console.trace = (...args) => logLine('TRACE', args);
}

// --------------------------------------------------------------------------- errors

class RuntimeFault extends Error {
  constructor(errorType, message) {
    super(message);
    this.name = errorType;
  }
}

function toErrorPayload(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || (error.constructor && error.constructor.name) || 'Error',
      errorMessage: error.message,
      // The worker's own frames say nothing about the user's code; AWS shows none of its runtime.
      trace: typeof error.stack === 'string' ? error.stack.split('\n').filter((line) => !line.includes(__filename)) : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function logError(prefix, payload) {
  const shown = { errorType: payload.errorType, errorMessage: payload.errorMessage, stack: payload.trace };
  logLine('ERROR', [`${prefix} \t${JSON.stringify(shown)}`]);
}

// --------------------------------------------------------------------------- handler resolution

function hasTypeModule(directory) {
  // The nearest package.json decides whether .js is an ES module, as in Node itself.
  let current = directory;
  for (;;) {
    const candidate = path.join(current, 'package.json');
    if (fs.existsSync(candidate)) {
      try {
        return JSON.parse(fs.readFileSync(candidate, 'utf8')).type === 'module';
      } catch (error) {
        return false;
      }
    }
    const parent = path.dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

async function importModule(file) {
  return import(pathToFileURL(file).href);
}

async function loadModule(appRoot, moduleName) {
  const base = path.resolve(appRoot, moduleName);
  try {
    if (fs.existsSync(`${base}.js`)) {
      return hasTypeModule(path.dirname(base)) ? await importModule(`${base}.js`) : require(`${base}.js`);
    }
    if (fs.existsSync(`${base}.mjs`)) return await importModule(`${base}.mjs`);
    if (fs.existsSync(`${base}.cjs`)) return require(`${base}.cjs`);
    return require(require.resolve(moduleName, { paths: [appRoot, ...(process.env.NODE_PATH || '').split(':')] }));
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new RuntimeFault('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`);
    }
    if (error && (error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new RuntimeFault('Runtime.ImportModuleError', `Error: ${error.message}`);
    }
    throw error;
  }
}

async function loadHandler(fullHandler) {
  const slash = fullHandler.lastIndexOf('/');
  const moduleRoot = fullHandler.substring(0, slash + 1);
  const moduleAndHandler = fullHandler.substring(slash + 1);
  const match = moduleAndHandler.match(/^([^.]*)\.(.+)$/);
  if (!match) throw new RuntimeFault('Runtime.MalformedHandlerName', 'Bad handler');
  const userModule = await loadModule(path.resolve(taskRoot, moduleRoot), match[1]);
  let handler = userModule;
  for (const part of match[2].split('.')) {
    handler = handler === undefined || handler === null ? undefined : handler[part];
  }
  if (handler === undefined && userModule && userModule.default) {
    handler = match[2].split('.').reduce((value, part) => (value ? value[part] : undefined), userModule.default);
  }
  if (handler === undefined || handler === null) {
    throw new RuntimeFault('Runtime.HandlerNotFound', `${fullHandler} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new RuntimeFault('Runtime.HandlerNotFound', `${fullHandler} is not a function`);
  }
  return handler;
}

// --------------------------------------------------------------------------- invocation

function peakRssKb() {
  try {
    const match = fs.readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/);
    if (match) return Number(match[1]);
  } catch (error) {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS;
}

function makeContext(header, settle) {
  const deadline = header.deadlineMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: header.invokedArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: header.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: header.identity || undefined,
    clientContext: header.clientContext || undefined,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    succeed: (result) => settle(null, result),
    fail: (error) => settle(error === undefined || error === null ? 'handled' : error),
    done: (error, result) => settle(error, result),
  };
}

function runHandler(handler, event, header) {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) resolve({ error });
      else resolve({ result });
    };
    const context = makeContext(header, settle);
    try {
      const returned = handler(event, context, settle);
      if (returned && typeof returned.then === 'function') {
        returned.then((result) => settle(null, result), (error) => settle(error === undefined ? 'undefined' : error));
      } else if (handler.length < 3) {
        // A synchronous handler that takes no callback finishes when it returns.
        settle(null, returned);
      }
    } catch (error) {
      settle(error);
    }
  });
}

async function invoke(handler, header, body) {
  currentRequestId = header.requestId;
  process.env._X_AMZN_TRACE_ID = header.traceHeader || '';
  const started = process.hrtime.bigint();
  let response;
  let payload;
  let event;
  let outcome;
  try {
    event = body.length ? JSON.parse(body.toString('utf8')) : null;
    outcome = await runHandler(handler, event, header);
  } catch (error) {
    outcome = { error: new RuntimeFault('Runtime.UnmarshalError', `Unable to unmarshal input: ${error.message}`) };
  }
  if (!('error' in outcome)) {
    try {
      payload = Buffer.from(JSON.stringify(outcome.result === undefined ? null : outcome.result));
      response = { type: 'result', ok: true };
    } catch (error) {
      outcome = { error: new RuntimeFault('Runtime.MarshalError', `Unable to stringify response body: ${error.message}`) };
    }
  }
  if ('error' in outcome) {
    const errorPayload = toErrorPayload(outcome.error);
    logError('Invoke Error', errorPayload);
    payload = Buffer.from(JSON.stringify(errorPayload));
    response = { type: 'result', ok: false, errorType: errorPayload.errorType, errorMessage: errorPayload.errorMessage };
  }
  response.durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  response.peakRssKb = peakRssKb();
  endOfOutput(header.requestId);
  currentRequestId = undefined;
  return [response, payload];
}

// --------------------------------------------------------------------------- main loop

function serveRequests(handler) {
  const socket = new net.Socket({ fd: requestFd, readable: true, writable: false });
  let buffer = Buffer.alloc(0);
  let busy = false;
  const pump = async () => {
    if (busy) return;
    busy = true;
    while (buffer.length >= 8) {
      const headerLength = buffer.readUInt32BE(0);
      const bodyLength = buffer.readUInt32BE(4);
      if (buffer.length < 8 + headerLength + bodyLength) break;
      const header = JSON.parse(buffer.subarray(8, 8 + headerLength).toString('utf8'));
      const body = buffer.subarray(8 + headerLength, 8 + headerLength + bodyLength);
      buffer = buffer.subarray(8 + headerLength + bodyLength);
      const [response, payload] = await invoke(handler, header, body);
      writeFrame(response, payload);
    }
    busy = false;
  };
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    pump();
  });
  socket.on('end', () => process.exit(0));
}

process.on('uncaughtException', (error) => {
  logError('Uncaught Exception', toErrorPayload(error));
  process.exit(129);
});
process.on('unhandledRejection', (reason) => {
  const payload = toErrorPayload(reason);
  logError('Unhandled Promise Rejection', { ...payload, errorType: 'Runtime.UnhandledPromiseRejection' });
  process.exit(128);
});

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler(config.handler);
  } catch (error) {
    const payload = toErrorPayload(error);
    logError('Uncaught Exception', payload);
    endOfOutput('init');
    writeFrame({ type: 'init', ok: false, error: payload });
    process.exit(1);
  }
  endOfOutput('init');
  writeFrame({ type: 'init', ok: true });
  serveRequests(handler);
}

main();
