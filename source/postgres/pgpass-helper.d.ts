/* The part of the `pgpass` package (a dependency of pg) that pg500 uses. */
declare module 'pgpass/lib/helper.js' {
	interface Entry {
		host: string;
		port: string;
		database: string;
		user: string;
		password: string;
	}
	const helper: {
		getFileName(env?: NodeJS.ProcessEnv): string;
		parseLine(line: string): Entry | null;
		isValidEntry(entry: Entry): boolean;
		match(connInfo: Omit<Entry, 'password'>, entry: Entry): boolean;
	};
	export default helper;
}
