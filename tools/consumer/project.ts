import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The consumer project: what a user writes in a fresh folder after
 * `npm install`ing the packages. Written into a temporary folder by
 * tools/test/consumer-install.test.ts; nothing in it resolves into the repo.
 */

/** The strict core both tsconfigs share: the options careful users turn on, `skipLibCheck` off, no DOM lib. */
const STRICT = {
  target: 'ES2022',
  lib: ['ES2022'],
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  skipLibCheck: false,
  forceConsistentCasingInFileNames: true,
};

/**
 * Node program: trains the seeds' MNIST MLP (784-128-64-10, NLLLoss, SGD lr
 * 0.003, batch 64) for one epoch over the first `CONSUMER_SAMPLES` training
 * images, read from `$KINDLING_DATA_MIRROR`, and prints as JSON the mean loss over them
 * before and after the epoch, and the batch losses.
 */
const TRAIN = `import * as kd from 'kindling';

const { data, nn, optim } = kd;

const samples = Number(process.env.CONSUMER_SAMPLES ?? '2000');
const transform = new data.Compose([new data.ToTensor(), new data.Normalize([0.5], [0.5])]);
const mnist = await data.MNIST.create({ train: true, download: true, transform });
const trainset = new data.Subset(mnist, Array.from({ length: samples }, (_, i) => i));
const loader = new data.DataLoader(trainset, { batchSize: 64, shuffle: true });

kd.manualSeed(0);
const model = new nn.Sequential(
  new nn.Linear(784, 128),
  new nn.ReLU(),
  new nn.Linear(128, 64),
  new nn.ReLU(),
  new nn.Linear(64, 10),
  new nn.LogSoftmax(1),
);
const criterion = new nn.NLLLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.003 });

const flat = (images: kd.Tensor) => images.view(images.shape[0] ?? 0, -1);
/** The mean loss over the whole subset, without gradients, in fixed batches. */
async function meanLoss(): Promise<number> {
  let total = 0;
  let batches = 0;
  for await (const [images, labels] of new data.DataLoader(trainset, { batchSize: 500 })) {
    total += await kd.noGrad(() => criterion.forward(model.forward(flat(images)), labels)).item();
    batches++;
  }
  return total / batches;
}

const before = await meanLoss();
const losses: number[] = [];
for await (const [images, labels] of loader) {
  optimizer.zeroGrad();
  const loss = criterion.forward(model.forward(flat(images)), labels);
  loss.backward();
  optimizer.step();
  losses.push(await loss.item());
}
const after = await meanLoss();
process.stdout.write(\`\${JSON.stringify({ images: trainset.length, steps: losses.length, before, after, losses })}\\n\`);
`;

/** Browser entry with named imports of tensor + backend-cpu + nn (the size budget's subject). */
/**
 * Tells tools/consumer/bundle.mjs (which loads the page in Chromium) that the CPU backend has loaded
 * everything it will, so the files the page fetched are all counted.
 */
const READY_SIGNAL = `const signal = globalThis as { kindlingReady?: boolean; kindlingFailed?: string };
void cpuReady().then(
  () => (signal.kindlingReady = true),
  (e: unknown) => (signal.kindlingFailed = String(e)),
);
`;

const BROWSER_NAMED = `import { cpuReady } from '@kindling/backend-cpu';
import { Linear, ReLU, Sequential } from '@kindling/nn';
import { matmul, randn } from '@kindling/tensor';

const model = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10));
const x = randn([4, 784]);
export const out = matmul(model(x), randn([10, 2]));
${READY_SIGNAL}`;

/** A page running a small CNN: the convolution kernels must come along (fetched on demand). */
const BROWSER_CNN = `import { cpuReady } from '@kindling/backend-cpu';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@kindling/nn';
import { randn } from '@kindling/tensor';

const model = new Sequential(new Conv2d(1, 4, 3), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 13 * 13, 10));
export const out = model(randn([2, 1, 28, 28]));
${READY_SIGNAL}`;

/**
 * A minimal test harness (describe / it / expect as the suite's
 * \`ExpectFunction\` describes them) so the conformance suite runs under plain
 * Node with no test framework installed.
 */
const HARNESS = `import { isDeepStrictEqual, inspect } from 'node:util';

type Test = { name: string; fn: () => Promise<void> | void };
const tests: Test[] = [];
const prefix: string[] = [];

export function describe(name: string, body: () => void): void {
  prefix.push(name);
  try {
    body();
  } finally {
    prefix.pop();
  }
}

export function it(name: string, fn: () => Promise<void> | void): void {
  tests.push({ name: [...prefix, name].join(' > '), fn });
}

interface Matchers {
  readonly not: Matchers;
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeGreaterThanOrEqual(expected: number): void;
  toBeLessThan(expected: number): void;
  toBeLessThanOrEqual(expected: number): void;
}

function matchers(actual: unknown, message: string | undefined, negate: boolean): Matchers {
  const check = (ok: boolean, what: string, expected: unknown): void => {
    if (ok === negate) {
      const head = message ? \`\${message}: \` : '';
      throw new Error(\`\${head}expected \${inspect(actual)} \${negate ? 'not ' : ''}\${what} \${inspect(expected)}\`);
    }
  };
  return {
    get not() {
      return matchers(actual, message, !negate);
    },
    toBe: (e) => check(Object.is(actual, e), 'to be', e),
    toEqual: (e) => check(isDeepStrictEqual(actual, e), 'to equal', e),
    toBeGreaterThanOrEqual: (e) => check((actual as number) >= e, 'to be >=', e),
    toBeLessThan: (e) => check((actual as number) < e, 'to be <', e),
    toBeLessThanOrEqual: (e) => check((actual as number) <= e, 'to be <=', e),
  };
}

export function expect(actual: unknown, message?: string): Matchers {
  return matchers(actual, message, false);
}

/** Runs the registered tests one by one; returns the counts and the first failures. */
export async function run(): Promise<{ passed: number; failed: number; failures: string[] }> {
  let passed = 0;
  const failures: string[] = [];
  for (const t of tests) {
    try {
      await t.fn();
      passed++;
    } catch (error) {
      failures.push(\`\${t.name}: \${error instanceof Error ? error.message : String(error)}\`);
    }
  }
  return { passed, failed: failures.length, failures: failures.slice(0, 20) };
}
`;

/** Runs the exported conformance suite against the consumer's own backend (device `consumer`). */
function conformance(suite: string): string {
  return `import '@kindling/autograd';
import { registerBackend } from '@kindling/tensor/backend';
import { runConformanceSuite } from '${suite}';
import { createTemplateBackend } from './backend/backend.js';
import { describe, expect, it, run } from './harness.js';

registerBackend(createTemplateBackend('consumer'));
runConformanceSuite({ device: 'consumer', describe, it, expect });
const result = await run();
process.stdout.write(\`\${JSON.stringify(result)}\\n\`);
`;
}

export interface ProjectOptions {
  /** Where the conformance suite is imported from (`@kindling/conformance`, or `@kindling/tensor/testing` before it moved). */
  conformance: string;
  /** The template backend's sources (packages/backend-template/src), copied as a user starting a backend does. */
  backendSources: string;
  /** The README's first example (\`import * as kd from 'kindling'\`), bundled as a browser entry. */
  readmeExample: string;
}

/** The first \`\`\`ts block of a README's text. */
export function firstTsExample(readme: string): string {
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!block?.[1]) throw new Error('the README has no ts example');
  return block[1];
}

/** Writes the consumer's sources and tsconfigs into `dir` (its package.json and node_modules come from npm). */
export function writeProject(dir: string, options: ProjectOptions): void {
  const src = join(dir, 'src');
  mkdirSync(join(src, 'backend'), { recursive: true });
  const files: Record<string, string> = {
    'train.ts': TRAIN,
    'browser-named.ts': BROWSER_NAMED,
    'browser-cnn.ts': BROWSER_CNN,
    'browser-readme.ts': options.readmeExample,
    'harness.ts': HARNESS,
    'conformance.ts': conformance(options.conformance),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(src, name), text);
  // The template's own entry registers it as `template` on import; the consumer registers its copy itself.
  for (const file of readdirSync(options.backendSources).filter((f) => f.endsWith('.ts') && f !== 'index.ts'))
    copyFileSync(join(options.backendSources, file), join(src, 'backend', file));
  const node = { types: ['node'], module: 'node16', moduleResolution: 'node16', outDir: 'out', rootDir: 'src' };
  // The user's own program, under every strict option: a Node program and browser entries.
  const node16 = { compilerOptions: { ...STRICT, ...node }, files: ['src/train.ts', 'src/browser-named.ts', 'src/browser-cnn.ts'] };
  const bundler = {
    compilerOptions: { ...STRICT, types: [], module: 'ESNext', moduleResolution: 'bundler', noEmit: true },
    files: ['src/browser-named.ts', 'src/browser-cnn.ts'],
  };
  // The copied template keeps the template's settings (no noUncheckedIndexedAccess), as does the README's
  // example (its \`for await (const [images, labels] of loader)\` needs it off); still skipLibCheck false.
  const template = { compilerOptions: { ...STRICT, ...node, noUncheckedIndexedAccess: false }, files: ['src/conformance.ts'] };
  const readme = {
    compilerOptions: { ...STRICT, types: [], module: 'ESNext', moduleResolution: 'bundler', noEmit: true, noUncheckedIndexedAccess: false },
    files: ['src/browser-readme.ts'],
  };
  writeFileSync(join(dir, 'tsconfig.template.json'), JSON.stringify(template, null, 2));
  writeFileSync(join(dir, 'tsconfig.readme.json'), JSON.stringify(readme, null, 2));
  writeFileSync(join(dir, 'tsconfig.node16.json'), JSON.stringify(node16, null, 2));
  writeFileSync(join(dir, 'tsconfig.bundler.json'), JSON.stringify(bundler, null, 2));
}
