import {Box, Text} from 'ink';
import {statusMark} from './glyphs.ts';
import {fitText} from './lines.ts';
import {useViewState} from './contexts.ts';

interface Props {
	width: number;
	height: number;
}

/** The numbered steps with their status; the one shown in the panel is marked. */
export function Checklist({width, height}: Props) {
	const {session: {run, running}, guide, glyphs, color} = useViewState();
	const fix = run.chosenFix ? run.runbook.fixes.find(f => f.id === run.chosenFix!.id) : undefined;
	const rows = run.runbook.steps.map((def, i) => {
		const step = run.steps[def.id]!;
		const shown = guide.view === 'step' && guide.focus === def.id;
		const mark = running === def.id ? {symbol: glyphs.current, color: 'cyan'} : statusMark(step.status, step.done, glyphs);
		return {id: def.id, shown, mark, text: `${String(i + 1).padStart(2)} ${step.title}`};
	});
	if (fix) rows.push({id: `fix:${fix.id}`, shown: guide.view === 'fix', mark: {symbol: glyphs.current, color: 'cyan'}, text: ` Fix: ${fix.title}`});
	// Keep the shown step in sight when the list is taller than the body.
	const focusAt = Math.max(0, rows.findIndex(r => r.shown));
	const start = Math.max(0, Math.min(rows.length - height, focusAt - Math.floor(height / 2)));
	const symbolWidth = glyphs.unicode ? 1 : 3;
	return (
		<Box flexDirection="column" width={width}>
			{rows.slice(start, start + height).map(r => (
				<Text key={r.id} wrap="truncate-end" inverse={r.shown}>
					<Text color={color ? r.mark.color : undefined} bold>
						{r.mark.symbol.padEnd(symbolWidth)}
					</Text>
					{fitText(r.text, width - symbolWidth, glyphs.ellipsis)}
				</Text>
			))}
		</Box>
	);
}
