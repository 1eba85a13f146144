import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { KindlingError } from '@kindling/tensor';
import {
  BACKENDS,
  DATASETS,
  LOSSES,
  MODELS,
  NORMALIZATIONS,
  OPTIMIZERS,
  PRESETS,
  SCHEDULERS,
  mergeConfig,
  presetConfig,
} from './config.js';
import { DEBUG_ENV, debugEnabled, errorReport } from './error-report.js';
import { TrainingDivergedError } from './divergence.js';
import { UsageError } from './errors.js';
import { isSystemError } from './fs-errors.js';
import { JsonReporter } from './json-reporter.js';
import { checkDataDir, checkOutputFolder } from './output-folder.js';
import type { Reporter } from './reporter.js';
import { train } from './train.js';
// The other commands, the YAML parser (--config) and the progress bars and tables (not with --json) are
// imported when used: a training run's modules load ~90 ms sooner without them.
import { packageVersion } from './version.js';

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
  return n;
};

function trainCommand(): Command {
  return new Command('train')
    .description(
      "train an MLP or a CNN; defaults reproduce the seeds' MNIST run (784-128-64-10, NLLLoss, SGD lr 0.003, batch 64, 5 epochs), " +
        "--preset mnist-cnn PyTorch's examples/mnist (≥ 99% in 2 epochs), --preset cifar10 the 60-minute blitz",
    )
    .addOption(new Option('--preset <name>', 'start from a preset').choices(PRESETS).default('mnist'))
    .option('--config <file>', 'JSON or YAML file with the same keys as the flags (flags win)')
    .addOption(new Option('--dataset <name>', 'dataset').choices(DATASETS))
    .option('--data-dir <dir>', 'dataset cache folder (default $KINDLING_DATA_DIR or ~/.cache/kindling)')
    .option('--mirror <dir|url>', 'local folder or URL holding the .gz files (for machines without internet)')
    .addOption(new Option('--model <type>', 'model: mlp, cnn (examples/mnist Net) or lenet (the blitz CIFAR-10 Net)').choices(MODELS))
    .option('--hidden <sizes>', 'sizes of the hidden linear layers, comma-separated (e.g. 128,64)')
    .option('--dropout <p>', 'dropout after each hidden linear layer (cnn: half of it after the convolutions too)')
    .addOption(
      new Option('--normalize <how>', "input Normalize: half (0.5, the seeds') or dataset (the training images' mean and std)").choices(
        NORMALIZATIONS,
      ),
    )
    .addOption(new Option('--loss <name>', 'loss').choices(LOSSES))
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS))
    .option('--lr <rate>', 'learning rate')
    .option('--momentum <m>', 'SGD momentum')
    .option('--weight-decay <wd>', 'weight decay')
    .addOption(new Option('--scheduler <name>', 'learning-rate schedule, stepped per epoch').choices(SCHEDULERS))
    .option('--step-size <epochs>', 'StepLR period')
    .option('--gamma <factor>', 'StepLR/ExponentialLR decay factor')
    .option('--epochs <n>', 'total epochs')
    .option('--batch-size <n>', 'batch size')
    .option('--seed <n>', 'random seed (initialization, shuffling, dropout)')
    .addOption(new Option('--backend <name>', 'compute backend').choices(BACKENDS))
    .option('--out <dir>', 'checkpoint folder (default runs/latest)')
    .option('--resume <file>', 'continue from a last.safetensors checkpoint')
    .option('--json', 'print one JSON object per epoch instead of progress and tables')
    .action(async (flags: Record<string, unknown>) => {
      const { preset, config: configFile, json, ...rest } = flags;
      let config = presetConfig(preset as string);
      if (typeof configFile === 'string') {
        const { readConfigFile } = await import('./config-file.js');
        config = mergeConfig(config, await readConfigFile(configFile), `--config ${configFile}`);
      }
      config = mergeConfig(config, rest);
      // Before any download or training time is spent: a folder that cannot hold the files fails now, in one line.
      if (config.dataDir !== undefined) await checkDataDir(config.dataDir, config.dataset !== 'idx');
      await checkOutputFolder(config.out);
      const reporter: Reporter = json ? new JsonReporter() : new (await import('./human-reporter.js')).HumanReporter();
      const controller = new AbortController();
      const onSigint = () => {
        if (controller.signal.aborted) process.exit(130);
        reporter.note('\nStopping after this batch and saving a resumable checkpoint (Ctrl-C again to quit now)...');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      try {
        const result = await train(config, { reporter, signal: controller.signal });
        if (result.interrupted) process.exitCode = 130;
      } finally {
        process.off('SIGINT', onSigint);
        reporter.close?.();
      }
    });
}

function evalCmd(): Command {
  return new Command('eval')
    .description('evaluate a checkpoint on the test split of the dataset it was trained on')
    .argument('<checkpoint>', 'best.safetensors or last.safetensors')
    .option('--data-dir <dir>', 'dataset cache folder')
    .option('--mirror <dir|url>', 'local folder or URL holding the .gz files')
    .addOption(new Option('--backend <name>', 'compute backend').choices(BACKENDS).default('cpu'))
    .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), 1000)
    .option('--json', 'print one JSON object')
    .action(
      async (file: string, o: { dataDir?: string; mirror?: string; backend: 'cpu' | 'webgpu'; batchSize: number; json?: boolean }) => {
        if (o.dataDir !== undefined) await checkDataDir(o.dataDir, true);
        const { evalCommand } = await import('./eval-command.js');
        await evalCommand(file, { ...o, json: o.json === true });
      },
    );
}

function predictCmd(): Command {
  return new Command('predict')
    .description('classify PNG or IDX images and print the top-k classes with probabilities')
    .argument('<checkpoint>', 'best.safetensors or last.safetensors')
    .argument('<images...>', 'PNG files (28×28, white on black like MNIST, or use --invert) and/or IDX image files')
    .option('-k, --top-k <k>', 'classes to show per image', positiveInt('--top-k'), 3)
    .option('--invert', 'invert pixels (for dark digits on a light background)')
    .addOption(new Option('--backend <name>', 'compute backend').choices(BACKENDS).default('cpu'))
    .option('--json', 'print one JSON object per image')
    .action(async (file: string, images: string[], o: { topK: number; invert?: boolean; backend: 'cpu' | 'webgpu'; json?: boolean }) => {
      const { predictCommand } = await import('./predict-command.js');
      await predictCommand(file, images, { topK: o.topK, invert: o.invert === true, backend: o.backend, json: o.json === true });
    });
}

function infoCmd(): Command {
  return new Command('info')
    .description('show what a checkpoint holds: model, dataset, epochs, accuracy, tensors')
    .argument('<checkpoint>', 'a .safetensors file written by kindling-train')
    .option('--json', 'print one JSON object')
    .action(async (file: string, o: { json?: boolean }) => {
      const { infoCommand } = await import('./info-command.js');
      await infoCommand(file, { json: o.json === true });
    });
}

/** The `kindling-train` program: errors are whole messages, one cause a line, without stack traces. */
export function buildProgram(): Command {
  const program = new Command('kindling-train')
    .description('Train, evaluate and run MNIST and Fashion-MNIST classifiers with Kindling.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\nErrors print one cause a line and no stack trace; set ${DEBUG_ENV}=1 to add the stack trace.`)
    .exitOverride();
  for (const cmd of [trainCommand(), evalCmd(), predictCmd(), infoCmd()])
    program.addCommand(cmd.exitOverride().showHelpAfterError(`(run kindling-train ${cmd.name()} --help for usage)`));
  return program;
}

/** Runs the CLI and returns the exit status: 0 ok, 1 runtime failure, 2 bad usage, 3 training diverged (NaN), 130 interrupted. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof TrainingDivergedError) {
      process.stderr.write(errorReport(e));
      return e.exitCode;
    }
    if (e instanceof UsageError) {
      process.stderr.write(errorReport(e));
      return 2;
    }
    if (e instanceof KindlingError || isSystemError(e)) {
      process.stderr.write(errorReport(e));
      return 1;
    }
    // A bug: still no stack trace unless asked for, but say how to get one.
    process.stderr.write(errorReport(e, 'kindling-train: internal error: '));
    if (!debugEnabled()) process.stderr.write(`(run with ${DEBUG_ENV}=1 for the stack trace to report it)\n`);
    return 1;
  }
}
