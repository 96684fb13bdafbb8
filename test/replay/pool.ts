import { ChildProcess, fork } from "node:child_process";
import * as path from "node:path";
import { build } from "esbuild";
import type { PlanReply, PlanRequest } from "./worker";

/** Replay workers (./worker.ts), one per job; each plans one case at a time. */
export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((worker: Worker) => void)[] = [];
  private readonly workers: Worker[];

  private constructor(script: string, base: string, size: number, env: NodeJS.ProcessEnv) {
    this.workers = Array.from({ length: size }, () => new Worker(script, base, env));
    this.idle.push(...this.workers);
  }

  /** `size` workers for copies of `base`, the worker bundled into the base first (its tooling finds the project from where it runs). */
  static async start(base: string, size: number, env: NodeJS.ProcessEnv): Promise<WorkerPool> {
    const script = path.join(base, ".build", "replay-worker.js");
    await build({ entryPoints: [path.join(__dirname, "worker.ts")], outfile: script, bundle: true, platform: "node", target: "node22", packages: "external", logLevel: "silent" });
    return new WorkerPool(script, base, size, env);
  }

  /** Plans `argv` in the copy `dir` on the next free worker. */
  async plan(dir: string, argv: string[]): Promise<PlanReply> {
    const worker = this.idle.pop() ?? (await new Promise<Worker>((resolve) => this.waiting.push(resolve)));
    try {
      return await worker.plan(dir, argv);
    } finally {
      const next = this.waiting.shift();
      if (next) next(worker);
      else this.idle.push(worker);
    }
  }

  close(): void {
    for (const worker of this.workers) worker.close();
  }
}

class Worker {
  private readonly child: ChildProcess;
  private stderr = "";
  private nextId = 0;
  private readonly pending = new Map<number, (reply: PlanReply) => void>();

  constructor(script: string, base: string, env: NodeJS.ProcessEnv) {
    // Plain node, as `npm run plan` runs: under tsx's loader every copy's bundle would be compiled again.
    // A larger young generation: a worker evaluates hundreds of programs, and scavenges were a tenth of
    // its CPU (alerts class, 1 job: 47 s of CPU to 42 s). It changes when V8 collects, nothing else.
    this.child = fork(script, [base], { env, execArgv: ["--max-semi-space-size=64"], stdio: ["ignore", "ignore", "pipe", "ipc"] });
    this.child.stderr?.on("data", (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    this.child.on("message", (reply: PlanReply) => {
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
    this.child.once("exit", (code, signal) => {
      for (const [id, resolve] of this.pending) resolve({ id, crash: `the replay worker exited (${signal ?? code}): ${this.stderr}` });
      this.pending.clear();
    });
  }

  plan(dir: string, argv: string[]): Promise<PlanReply> {
    const request: PlanRequest = { id: this.nextId++, dir, argv };
    if (this.child.exitCode !== null || !this.child.connected) return Promise.resolve({ id: request.id, crash: `the replay worker has exited: ${this.stderr}` });
    return new Promise((resolve) => {
      this.pending.set(request.id, resolve);
      this.child.send(request);
    });
  }

  close(): void {
    if (this.child.connected) this.child.disconnect();
  }
}
