/** The tool's version, replaced at build time; from source, the development marker. */
declare const PG500_VERSION: string | undefined;
export const toolVersion: string = typeof PG500_VERSION === 'string' ? PG500_VERSION : '0.1.0-dev';
