/**
 * A problem with what the user asked for (a flag, a file, the data): the CLI
 * prints its message on one line and exits with status 2, without a stack.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
