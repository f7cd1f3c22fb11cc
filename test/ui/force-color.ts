// Imported first by tests that compare colour with NO_COLOR: Ink's colour
// library decides at import time, and a test's stdout is not a terminal.
process.env['FORCE_COLOR'] = '1';
