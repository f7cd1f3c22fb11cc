import {Box, Text} from 'ink';
import type {FC} from 'react';
import type {Glyphs} from './glyphs.ts';

/* ink-select-input's pointer is a Unicode `❯` whatever the locale; these
 * parts draw it from the glyphs (`>` under a non-UTF-8 locale) and keep the
 * highlight readable without colour. */

interface PartProps {
	isSelected?: boolean;
}

export interface SelectParts {
	indicatorComponent: FC<PartProps>;
	itemComponent: FC<PartProps & {label: string}>;
}

export function selectParts(glyphs: Glyphs, color: boolean): SelectParts {
	return {
		indicatorComponent: ({isSelected = false}) => (
			<Box marginRight={1}>
				<Text color={color && isSelected ? 'cyan' : undefined} bold={isSelected}>
					{isSelected ? glyphs.current : ' '}
				</Text>
			</Box>
		),
		itemComponent: ({isSelected = false, label}) => (
			<Text color={color && isSelected ? 'cyan' : undefined} bold={isSelected}>
				{label}
			</Text>
		),
	};
}
