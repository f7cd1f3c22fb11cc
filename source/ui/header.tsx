import {Text} from 'ink';
import {verdictOf} from '../engine/verdict.ts';
import {severityColor} from './glyphs.ts';
import {fitText} from './lines.ts';
import {useViewState} from './contexts.ts';
import {throughPooler} from '../engine/pooler.ts';

/** One line: the target (in a quiz, only that it is one: never which drill) (never a password), the server version, the verdict so far. */
export function Header() {
	const {session: {run}, glyphs, color, width, training} = useViewState();
	const t = run.target;
	const target = t ? `${t.user}@${t.host}:${t.port}/${t.database}` : 'no target';
	const version = `${t?.serverVersion ? `PostgreSQL ${t.serverVersion}` : 'server not reached yet'}${throughPooler(t?.pooler)}`;
	const verdict = verdictOf(run);
	const symbol = verdict === 'ok' ? glyphs.ok : verdict === 'unknown' ? '?' : glyphs[verdict];
	const verdictText = ` ${symbol} ${verdict} so far`;
	const left = fitText(`pg500${training ? ' quiz' : ''} · ${target} · ${version}`, Math.max(10, width - verdictText.length - 1), glyphs.ellipsis);
	return (
		<Text wrap="truncate-end">
			<Text bold>{left.padEnd(Math.max(0, width - verdictText.length))}</Text>
			<Text bold color={color ? (verdict === 'unknown' ? undefined : severityColor[verdict]) : undefined}>
				{verdictText}
			</Text>
		</Text>
	);
}
