import './app-shell.css';
import type { Page } from './pages/page.js';
import { h } from './ui/dom.js';

/** Header with navigation, the page area, and a banner for fatal worker errors. */
export function createShell(pages: readonly Page[]): { root: HTMLElement; links: Map<Page['id'], HTMLAnchorElement>; banner: HTMLElement } {
  const links = new Map<Page['id'], HTMLAnchorElement>();
  for (const p of pages) links.set(p.id, h('a', { href: `#/${p.id}` }, p.title));
  const banner = h('div', { class: 'banner' });
  // tabindex -1: focusable from the skip link, not in the tab order.
  const main = h('main', { id: 'main', tabindex: -1 }, banner, ...pages.map((p) => p.element));
  const skipLink = h('a', { class: 'skip-link', href: '#main' }, 'Skip to content');
  // With hash routing, following `#main` would replace the route (`#/draw`) and show the Train page:
  // move focus ourselves and leave the URL alone.
  skipLink.addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  const root = h(
    'div',
    { class: 'app' },
    skipLink,
    h(
      'header',
      { class: 'site-header' },
      h('span', { class: 'brand' }, 'Kindling'),
      h('nav', { 'aria-label': 'Pages' }, h('ul', {}, ...[...links.values()].map((a) => h('li', {}, a)))),
    ),
    main,
    h('footer', { class: 'site-footer' }, 'Kindling: PyTorch in TypeScript. Everything on this page runs in your browser.'),
  );
  return { root, links, banner };
}
