export const handler = async () => ({ typeModule: true });
