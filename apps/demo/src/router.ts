import type { Page } from './pages/page.js';

/**
 * Hash routing (`#/train`, `#/draw`, `#/about`): works on any static host
 * without server rewrites. Pages are built once and kept, so a chart keeps
 * its points when you look at another page. After a navigation the new page's
 * heading takes focus, which tells screen-reader users where they are.
 */
export function startRouter(pages: readonly Page[], links: ReadonlyMap<Page['id'], HTMLAnchorElement>): void {
  let current: Page | null = null;
  const show = (moveFocus: boolean) => {
    const id = location.hash.replace(/^#\/?/, '').split('?')[0];
    const next = pages.find((p) => p.id === id) ?? pages[0];
    if (next === current) return;
    current?.onHide?.();
    for (const p of pages) p.element.hidden = p !== next;
    for (const [pageId, link] of links) {
      if (pageId === next.id) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.title = `${next.title} · Kindling demo`;
    current = next;
    next.onShow?.();
    if (moveFocus) next.heading.focus();
  };
  window.addEventListener('hashchange', () => show(true));
  show(false);
}
