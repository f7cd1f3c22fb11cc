/** 160004 → 16; 90624 → 9. */
export function majorVersion(serverVersionNum: number): number {
	return Math.floor(serverVersionNum / 10000);
}

/** "16.4 (Debian 16.4-1.pgdg120+1)" → "16.4". */
export function shortVersion(serverVersion: string): string {
	return serverVersion.split(' ')[0] ?? serverVersion;
}
