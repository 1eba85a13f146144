import './notice.css';
import { h } from './dom.js';

export type NoticeKind = 'info' | 'warning' | 'error';

/**
 * A message box. Errors are announced at once (role="alert"); the others
 * politely (role="status"). The kind is spelled out in text, not only in colour.
 */
export function notice(kind: NoticeKind, title: string, ...details: (string | Node)[]): HTMLElement {
  return h(
    'div',
    { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('strong', {}, title),
    ...details.map((d) => (typeof d === 'string' ? h('p', {}, d) : d)),
  );
}
