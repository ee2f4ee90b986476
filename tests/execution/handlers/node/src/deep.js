exports.handler = async () => ({ subdirectory: true });
