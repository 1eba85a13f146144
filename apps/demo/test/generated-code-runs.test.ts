import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { codeText } from '../src/code/generated-code.js';
import { kindlingCode } from '../src/code/kindling-code.js';
import { pytorchCode } from '../src/code/pytorch-code.js';
import { IDX_FILES } from '../src/data-catalog.js';
import { CASES, EXAMPLES, PYTHON, REPO, SHARED, exec, name } from './generated-code-cases.js';

/**
 * The generated code for every model and optimizer, written into a folder
 * inside examples/ (where `kindling` resolves, as in a clone of the repo),
 * typechecked against the packages' published types with the examples'
 * strict settings, and run with `node tools/run-ts.mjs` on the first images
 * of the real MNIST files; the PyTorch code compiled by Python and, where
 * torch and torchvision are installed, run on random images.
 */
describe('the generated code compiles and runs', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(EXAMPLES, '.generated-code-test-'));
    for (const settings of CASES) {
      await writeFile(join(dir, `${name(settings)}.ts`), codeText(kindlingCode(settings)));
      await writeFile(join(dir, `${name(settings)}.py`), codeText(pytorchCode(settings)));
    }
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../tsconfig.json',
        compilerOptions: { noEmit: true, types: ['node'] },
        include: ['*.ts'],
        exclude: ['run-all.ts'],
      }),
    );
    // One process for all the scripts: importing a script runs it.
    const runner = CASES.map((s) => `console.log('=== ${name(s)}');\nawait import('./${name(s)}.ts');\n`).join('');
    await writeFile(join(dir, 'run-all.ts'), `${runner}export {};\n`);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // The examples' tsconfig sees the built .d.ts files (as users do); `pnpm test` builds them first.
  test.skipIf(!existsSync(join(REPO, 'packages/kindling/dist/index.d.ts')))(
    'the Kindling code typechecks with the examples’ settings',
    async () => {
      await exec(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: REPO });
    },
    120_000,
  );

  test.skipIf(!existsSync(join(SHARED, 'mnist')) || !existsSync(join(SHARED, 'fashion-mnist')))(
    'the Kindling code trains and prints its test accuracy, for every model and optimizer',
    async () => {
      // The dataset cache both datasets are read from (`<cache>/<Dataset>/raw/`), filled with links to the real files.
      const cache = await mkdtemp(join(dir, 'cache-'));
      for (const [folder, source] of [
        ['MNIST', 'mnist'],
        ['FashionMNIST', 'fashion-mnist'],
      ]) {
        await mkdir(join(cache, folder, 'raw'), { recursive: true });
        for (const file of Object.values(IDX_FILES)) await symlink(join(SHARED, source, file), join(cache, folder, 'raw', file));
      }
      const out = await exec(process.execPath, [join(REPO, 'tools/run-ts.mjs'), join(dir, 'run-all.ts')], {
        cwd: dir,
        env: { ...process.env, KINDLING_DATA_DIR: cache, FORCE_COLOR: '0' },
      });
      for (const settings of CASES) {
        const section = out.split(`=== ${name(settings)}\n`)[1]?.split('===')[0] ?? '';
        expect(section, name(settings)).toMatch(/^Epoch 1: test loss \d+\.\d{3}, test accuracy \d+\.\d%$/m);
      }
    },
    300_000,
  );
});

describe.skipIf(!existsSync(PYTHON) && PYTHON.startsWith('/'))('the PyTorch code', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(EXAMPLES, '.generated-code-py-'));
    await mkdir(dir, { recursive: true });
    for (const settings of CASES) await writeFile(join(dir, `${name(settings)}.py`), codeText(pytorchCode(settings)));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('compiles', async () => {
    await exec(PYTHON, ['-m', 'py_compile', ...CASES.map((s) => join(dir, `${name(s)}.py`))]);
  });

  test('runs with torch and torchvision on random images (skipped without them)', async () => {
    const probe = await exec(PYTHON, ['-c', 'import torch, torchvision; print("ok")']).catch(() => '');
    if (!probe.includes('ok')) {
      console.log(`${PYTHON} has no torch or torchvision: the PyTorch code is only compiled`);
      return;
    }
    // torchvision's datasets replaced by random images of the same sizes, so nothing is downloaded.
    const prelude = [
      'import sys, numpy as np, torch',
      'from torchvision import datasets',
      'class Random(torch.utils.data.Dataset):',
      '    def __init__(self, root, train=True, download=False, transform=None):',
      '        self.n, self.transform = (60000 if train else 10000), transform',
      '    def __len__(self):',
      '        return self.n',
      '    def __getitem__(self, i):',
      '        image = np.random.RandomState(i).randint(0, 256, (28, 28), dtype=np.uint8)',
      '        return self.transform(image), i % 10',
      'datasets.MNIST = datasets.FashionMNIST = Random',
      'for path in sys.argv[1:]:',
      '    print("===", path)',
      '    exec(compile(open(path).read(), path, "exec"), {"__name__": "__main__"})',
    ].join('\n');
    const out = await exec(PYTHON, ['-c', prelude, ...CASES.map((s) => join(dir, `${name(s)}.py`))]);
    for (const settings of CASES) {
      const section = out.split(`${name(settings)}.py\n`)[1]?.split('===')[0] ?? '';
      expect(section, name(settings)).toMatch(/^Epoch 1: test loss \d+\.\d{3}, test accuracy \d+\.\d%$/m);
    }
  }, 180_000);
});
