let invocations = 0;
export const handler = async (event) => {
  invocations += 1;
  return { esm: true, invocations, value: event.value };
};
