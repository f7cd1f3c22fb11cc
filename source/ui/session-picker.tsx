import {Box, render} from 'ink';
import {useRef, useState} from 'react';
import {endings} from '../engine/reducer.ts';
import type {SessionSummary} from '../journal/sessions.ts';
import {colorWanted, glyphsFor, type Glyphs} from './glyphs.ts';
import {keysLabel} from './keymap.ts';
import {fitText, plain} from './lines.ts';
import {LineView} from './line-view.tsx';
import {listLines} from './list-lines.ts';
import {useKeys} from './use-keys.ts';

/** Two lines per session: when and where; then the drill, how far it got, what it had seen, how it ended. */
export function describeSession(s: SessionSummary): [string, string] {
	if (s.problem) return [s.path, s.problem];
	const t = s.target;
	const progress = s.finished ? 'finished' : s.interruptedStep ? `stopped in ${s.interruptedStep} (${s.stepsDone}/${s.stepsTotal} steps)` : `${s.stepsDone}/${s.stepsTotal} steps`;
	// No step run, no verdict: "ok" would say the database was looked at.
	const verdict = s.stepsDone === 0 ? 'nothing seen yet' : s.verdict;
	const facts = [s.drill === 'quiz' ? 'drill: quiz' : s.drill ? `drill ${s.drill}` : '', progress, verdict, `ended: ${endings[s.ending].short}`].filter(Boolean);
	return [`${s.startedAt.slice(0, 16).replace('T', ' ')}  ${t.user}@${t.host}:${t.port}/${t.database}`, facts.join(', ')];
}

interface PickerProps {
	sessions: SessionSummary[];
	glyphs: Glyphs;
	color: boolean;
	columns: number;
	rows: number;
	onDone(path: string | undefined): void;
}

/** The list of sessions; its keys through the same input layer as the guide (a burst of arrows moves as far as it should). */
export function SessionPicker({sessions, glyphs, color, columns, rows, onDone}: PickerProps) {
	// Where the cursor is as of the key being applied (the keys of a burst come before the next render).
	const cursor = useRef(0);
	const [at, setAt] = useState(0);
	useKeys(key => {
		if (key.name === 'Up' || key.name === 'Down') setAt((cursor.current = Math.max(0, Math.min(sessions.length - 1, cursor.current + (key.name === 'Up' ? -1 : 1)))));
		else if (key.name === 'Enter') onDone(sessions[cursor.current]?.path);
		else if (key.name === 'q' || key.name === 'Esc' || key.name === 'Ctrl-C') onDone(undefined);
	});
	const width = Math.max(20, columns) - 3;
	const items = sessions.map(s => {
		const [first, second] = describeSession(s);
		return {value: s.path, label: `${fitText(first, width, glyphs)}\n   ${fitText(second, width - 2, glyphs)}`};
	});
	const lines = [
		plain('title', fitText(`Resume which session? (${keysLabel(['Up', 'Down'], glyphs)} Enter; q or Esc leaves)`, width + 3, glyphs), {bold: true}),
		...listLines('session', items, at, Math.max(1, Math.floor((rows - 2) / 2)), glyphs),
	];
	return (
		<Box flexDirection="column">
			{lines.map(line => (
				<LineView key={line.key} line={line} color={color} spinner={glyphs.spinner} />
			))}
		</Box>
	);
}

/** Asks which session to resume; resolves with its journal path, or undefined when the operator leaves with q or Esc. */
export function pickSession(sessions: SessionSummary[]): Promise<string | undefined> {
	const usable = sessions.filter(s => !s.problem);
	return new Promise(resolve => {
		let done = false;
		const finish = (path: string | undefined) => {
			if (done) return;
			done = true;
			instance.unmount();
			resolve(path);
		};
		const instance = render(
			<SessionPicker
				sessions={usable}
				glyphs={glyphsFor(process.env)}
				color={colorWanted(true, process.env)}
				columns={process.stdout.columns || 80}
				rows={process.stdout.rows || 24}
				onDone={finish}
			/>,
			{patchConsole: false, exitOnCtrlC: false},
		);
	});
}
