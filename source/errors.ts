/** An expected failure of the tool itself: one line for the user, exit 3 (unknown). */
export class UsageError extends Error {
	constructor(message: string, readonly exitCode = 3) {
		super(message);
		this.name = 'UsageError';
	}
}
