import SelectInput from 'ink-select-input';
import {useMemo, useRef} from 'react';
import type {Glyphs} from './glyphs.ts';
import {selectParts} from './select-parts.tsx';
import {useLatestInput} from './use-latest-input.ts';

export interface ListItem {
	key: string;
	value: string;
	label: string;
}

interface Props {
	items: ListItem[];
	limit: number;
	isFocused: boolean;
	glyphs: Glyphs;
	color: boolean;
	onSelect(value: string): void;
}

/**
 * ink-select-input with our pointer, and Enter taken here: its own Enter
 * handler is re-attached after each frame, so an Enter right after an arrow
 * could select the item highlighted before the arrow. The item highlighted on
 * screen is tracked through onHighlight instead.
 */
export function ListSelect({items, limit, isFocused, glyphs, color, onSelect}: Props) {
	const parts = useMemo(() => selectParts(glyphs, color), [glyphs, color]);
	const values = items.map(i => i.value).join('\n');
	// The list starts again at its first item when its items change (as SelectInput does).
	const highlighted = useRef<{values: string; value: string} | undefined>(undefined);
	useLatestInput((_input, key) => {
		if (!key.return) return;
		const value = highlighted.current?.values === values ? highlighted.current.value : items[0]?.value;
		if (value !== undefined) onSelect(value);
	}, isFocused);
	return <SelectInput items={items} limit={limit} isFocused={isFocused} onHighlight={item => (highlighted.current = {values, value: item.value})} {...parts} />;
}
