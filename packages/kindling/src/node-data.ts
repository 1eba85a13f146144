/** `kd.data` in Node: the browser-safe data package and its Node-only parts (disk cache, downloader). */
export * from '@kindling/data';
export * from '@kindling/data/node';
