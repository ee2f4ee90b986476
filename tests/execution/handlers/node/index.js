// CommonJS handlers for tests/execution.
let invocations = 0;
console.log('cold start of index.js');

exports.counter = async () => {
  invocations += 1;
  return { invocations, pid: process.pid };
};

exports.describeContext = async (event, context) => ({
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  invokedFunctionArn: context.invokedFunctionArn,
  memoryLimitInMB: context.memoryLimitInMB,
  awsRequestId: context.awsRequestId,
  logGroupName: context.logGroupName,
  logStreamName: context.logStreamName,
  remaining: context.getRemainingTimeInMillis(),
  env: {
    AWS_LAMBDA_FUNCTION_NAME: process.env.AWS_LAMBDA_FUNCTION_NAME,
    AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    AWS_EXECUTION_ENV: process.env.AWS_EXECUTION_ENV,
    NODE_PATH: process.env.NODE_PATH,
    _X_AMZN_TRACE_ID: process.env._X_AMZN_TRACE_ID,
  },
});

exports.callbackStyle = (event, context, callback) => {
  setTimeout(() => callback(null, { viaCallback: event.value }), 10);
};

exports.callbackError = (event, context, callback) => {
  callback(new Error('callback failed'));
};

exports.rejects = async () => {
  throw new TypeError('async failure');
};

exports.logs = async () => {
  console.log('hello %s', 'world');
  console.error('bad thing');
  process.stdout.write('raw write\n');
  return 'logged';
};

exports.notAFunction = 42;

exports.nested = { inner: async () => 'nested handler' };

exports.usesSdk = async () => {
  const sdk = require('fake-sdk');
  return sdk.name;
};

exports.throwsLater = async () => {
  setTimeout(() => { throw new Error('thrown outside the handler'); }, 0);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return 'unreachable';
};

exports.hog = async (event) => {
  const held = Buffer.alloc(event.mb * 1024 * 1024, 1); // filled, so the pages are resident
  await new Promise((resolve) => setTimeout(resolve, event.hold));
  return held.length;
};
