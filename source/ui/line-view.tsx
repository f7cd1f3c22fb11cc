import {Text} from 'ink';
import Spinner from 'ink-spinner';
import type {Line} from './lines.ts';

interface Props {
	line: Line;
	color: boolean;
	spinner: 'dots' | 'line';
}

/** One fitted line. `truncate-end` is only a safety net: builders already fitted the text. */
export function LineView({line, color, spinner}: Props) {
	return (
		<Text wrap="truncate-end">
			{line.spinner ? (
				<Text color={color ? 'cyan' : undefined}>
					<Spinner type={spinner} />{' '}
				</Text>
			) : null}
			{line.segments.map((s, i) => (
				<Text key={i} color={color ? s.color : undefined} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
					{s.text}
				</Text>
			))}
			{/* An empty Text takes no line in Ink: a blank line needs a space. */}
			{line.segments.every(s => s.text === '') ? ' ' : null}
		</Text>
	);
}
