/**
 * @packageDocumentation
 * `@kindling/vis`: pictures of tensors, the tutorials' `helper.imshow` and
 * `helper.view_classify`, drawn in the terminal (Unicode half blocks in
 * colour, plain ASCII when stdout is not a colour terminal) and written as
 * PNG files (or returned as PNG bytes in a browser).
 */
export { imshow, imshowPng, type ImshowOptions, type OutputOptions } from './imshow.js';
export { viewClassify, viewClassifyPng, CLASS_NAMES, type ViewClassifyOptions } from './view-classify.js';
export { IMAGENET_NORMALIZATION, type ImageOptions, type Unnormalize } from './image.js';
export type { Colormap } from './colormap.js';
export { PLAIN_RAMP, detectColorLevel, type ColorLevel, type TerminalOptions } from './terminal.js';
