import {Box, Text, render} from 'ink';
import {useLatestInput} from './use-latest-input.ts';
import type {SessionSummary} from '../journal/sessions.ts';
import {fitText} from './lines.ts';
import {colorWanted, glyphsFor} from './glyphs.ts';
import {ListSelect} from './list-select.tsx';

/** One line per session: when, where, how far it got, what it had seen. */
export function describeSession(s: SessionSummary): string {
	if (s.problem) return `${s.path}: ${s.problem}`;
	const t = s.target;
	const progress = s.finished ? 'finished' : s.interruptedStep ? `stopped in ${s.interruptedStep}` : `${s.stepsDone}/${s.stepsTotal} steps`;
	return `${s.startedAt.slice(0, 16).replace('T', ' ')}  ${t.user}@${t.host}:${t.port}/${t.database}  ${progress}  ${s.verdict}`;
}

/** Asks which session to resume; resolves with its journal path, or undefined when the operator leaves with q or Esc. */
export function pickSession(sessions: SessionSummary[]): Promise<string | undefined> {
	const glyphs = glyphsFor(process.env);
	const width = (process.stdout.columns || 80) - 3;
	const items = sessions.filter(s => !s.problem).map(s => ({key: s.path, value: s.path, label: fitText(describeSession(s), width, glyphs.ellipsis)}));
	return new Promise(resolve => {
		const done = (path: string | undefined) => {
			instance.unmount();
			resolve(path);
		};
		const instance = render(
			<Box flexDirection="column">
				<Text bold>{`Resume which session? (${glyphs.unicode ? '↑↓' : 'Up/Down'} Enter; q or Esc leaves)`}</Text>
				<ListSelect items={items} limit={Math.max(3, (process.stdout.rows || 24) - 3)} isFocused glyphs={glyphs} color={colorWanted(true, process.env)} onSelect={done} />
				<Quit onQuit={() => done(undefined)} />
			</Box>,
			{patchConsole: false},
		);
	});
}

function Quit({onQuit}: {onQuit(): void}) {
	useLatestInput((input, key) => {
		if (input === 'q' || key.escape) onQuit();
	});
	return null;
}
