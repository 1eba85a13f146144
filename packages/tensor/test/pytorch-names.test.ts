import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The runtime behaviour of the renamed API (issue 16) is tested with a backend in
// backend-cpu/test/tensor-api/pytorch-names.test.ts and optim/test/grad-warning.test.ts;
// this checks that the tutorials' spellings compile under the strictest user settings.

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');

function diagnosticsOf(file: string): string[] {
  const base = ts.readConfigFile(join(root, 'tsconfig.base.json'), (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, root);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    types: ['node'],
  };
  const program = ts.createProgram([file], options);
  // Only the fixture's own diagnostics: Kindling's sources are checked with the repo's settings,
  // and users see them through the emitted .d.ts, whose types are the same.
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`fixture not found: ${file}`);
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(
    (d) => `${d.start ?? 0}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
  );
}

describe('PyTorch spellings under noUncheckedIndexedAccess', () => {
  it('x.view(x.shape[0], -1), tuple destructuring, size/dim/item/type/.data compile without casts', () => {
    expect(diagnosticsOf(join(here, 'fixtures/pytorch-names-strict.ts'))).toEqual([]);
  }, 60_000);
});
