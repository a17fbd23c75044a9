/** Values from a message quoted in an error, kept short (a Fault's description is bounded anyway). */
export function clip(value: string, max = 120): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
