// The sliding-window kernels (convolution, pooling, im2col/col2im, batch norm's per-channel
// passes): one module, which the backend imports only for programs that contain those ops.
export { wasmConv2d, wasmConv2dInputGrad, wasmConv2dWeightGrad } from './wasm-conv.js';
export { wasmAvgPool2d, wasmChannelAffine, wasmChannelMoments, wasmMaxPool2d } from './wasm-pool.js';
export { wasmCol2im, wasmIm2col } from './wasm-unfold.js';
