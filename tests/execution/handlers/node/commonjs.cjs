exports.handler = async () => ({ cjs: true });
