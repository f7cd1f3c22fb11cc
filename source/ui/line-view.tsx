import {Text} from 'ink';
import Spinner from 'ink-spinner';
import type {Line} from './lines.ts';

interface Props {
	line: Line;
	color: boolean;
	spinner: 'dots' | 'line';
	inverse?: boolean;
}

/** One fitted line. `truncate-end` is only a safety net: builders already fitted the text. */
export function LineView({line, color, spinner, inverse}: Props) {
	return (
		<Text wrap="truncate-end" inverse={inverse}>
			{line.spinner ? (
				<Text color={color ? 'cyan' : undefined}>
					<Spinner type={spinner} />{' '}
				</Text>
			) : null}
			{line.segments.map((s, i) => (
				<Text key={i} color={color ? s.color : undefined} bold={s.bold} dimColor={s.dim}>
					{s.text}
				</Text>
			))}
			{line.segments.length === 0 ? ' ' : null}
		</Text>
	);
}
