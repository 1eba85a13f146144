/** A top-level view the router shows and hides. */
export interface Page {
  id: 'train' | 'draw' | 'about';
  title: string;
  element: HTMLElement;
  /** The page's heading, focused after navigation so screen readers announce the new page. */
  heading: HTMLElement;
  onShow?(): void;
  onHide?(): void;
}
