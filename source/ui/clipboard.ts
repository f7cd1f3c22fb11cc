/* The clipboard through the terminal: OSC 52 asks the terminal itself to
 * set its clipboard, so it works over SSH (the terminal is on the operator's
 * machine) and in tmux with `set-clipboard on` (tmux takes it into its paste
 * buffer and passes it on). A terminal that does not know it ignores it. */

/** The escape sequence that puts `text` on the clipboard (`c`), ended by BEL as xterm and tmux take it. */
export function osc52(text: string): string {
	return `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;
}
