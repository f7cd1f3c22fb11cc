import {main} from './source/commands/program.ts';

// Set exitCode instead of calling exit(): pending writes (a report on a pipe) finish first.
process.exitCode = await main(process.argv.slice(2));
