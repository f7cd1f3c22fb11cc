import {Text} from 'ink';
import Spinner from 'ink-spinner';
import type {Line} from './lines.ts';

interface Props {
	line: Line;
	color: boolean;
	spinner: 'dots' | 'line';
}

/** One line of the frame, already fitted to the width: one Text, so Ink has one thing to lay out and measure per line. */
export function LineView({line, color, spinner}: Props) {
	return (
		<Text wrap="truncate-end">
			{line.segments.map((s, i) => (
				<Text key={i} color={color ? s.color : undefined} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
					{s.spinner ? <Spinner type={spinner} /> : s.text}
				</Text>
			))}
			{/* An empty Text takes no line in Ink: a blank line needs a space. */}
			{line.segments.every(s => s.text === '') ? ' ' : null}
		</Text>
	);
}
