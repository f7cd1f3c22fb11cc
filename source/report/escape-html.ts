/** Makes any text inert in HTML text and attribute values. */
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, ch => `&#${ch.charCodeAt(0)};`);
}
