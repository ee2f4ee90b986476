'use strict';
// Drives the notification handler for the pytest suite: reads {"event", "env"} as JSON on stdin,
// calls the handler and prints {"result", "error", "published"} as JSON on stdout.
//   node notification_driver.js INDEX_JS          a recording stub replaces the SNS client
//   node notification_driver.js INDEX_JS --real   the exported handler with the real AWS SDK
//                                                 (env is merged into process.env first)
const path = require('path');

// The handler's log lines go to stderr so stdout carries only the JSON result.
console.log = (...args) => process.stderr.write(`${args.join(' ')}\n`);

const handlerPath = path.resolve(process.argv[2]);
const real = process.argv[3] === '--real';

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  const { event, env } = JSON.parse(input);
  const published = [];
  const publish = async (params) => {
    published.push(params);
    return { MessageId: `stub-${published.length}` };
  };
  if (real) Object.assign(process.env, env);
  const handlerModule = require(handlerPath);
  const handler = real ? handlerModule.handler : handlerModule.createHandler({ publish, env });
  const output = { result: null, error: null, published };
  try {
    output.result = await handler(event, { functionName: 'test', awsRequestId: 'req-1' });
  } catch (e) {
    output.error = { name: e.name, message: e.message };
  }
  process.stdout.write(JSON.stringify(output));
});
