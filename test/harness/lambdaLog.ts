/**
 * Runs a Lambda handler in this process and keeps what it logs, instead of printing it among the specs'
 * report. Lambda's Node.js runtime sends console output to the function's CloudWatch Logs stream
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html): these lines are what an operator
 * reads there, so specs assert on them.
 */
export async function withLambdaLog<T>(run: () => Promise<T>): Promise<{ result: T; log: string[] }> {
  const log: string[] = [];
  const saved = { log: console.log, error: console.error, warn: console.warn, info: console.info };
  const keep = (...args: unknown[]) => void log.push(args.map(String).join(" "));
  Object.assign(console, { log: keep, error: keep, warn: keep, info: keep });
  try {
    return { result: await run(), log };
  } finally {
    Object.assign(console, saved);
  }
}
