import { KindlingError } from '@kindling/tensor';
import { checkSpec } from './model-spec.js';

/*
 * What a model description implies about its checkpoint, from the
 * description alone: the state dict's keys and shapes. Loaders compare them
 * with the shapes in a file's header before building anything, so metadata
 * describing a model far larger than the file (or merely a different one) is
 * refused in a line instead of allocated.
 */

/**
 * The state dict a description's model has, as shapes by key (`0.weight`,
 * `conv1.bias`, `2.running_mean`...), computed from the description alone:
 * nothing is built or allocated.
 */
export function modelSpecStateShapes(spec: unknown, source = 'model spec'): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  checkSpec(spec, source).layers.forEach((l, i) => {
    const prefix = l.spec.name ?? String(i);
    for (const [key, shape] of [...Object.entries(l.state.parameters), ...Object.entries(l.state.buffers)]) {
      shapes.set(`${prefix}.${key}`, shape);
    }
  });
  return shapes;
}

/**
 * Checks a description against the shapes of the tensors a file holds (read
 * from its header, before loading anything): every key the description
 * implies must be there with its shape, and the file must hold no other
 * model tensor. Throws a one-line `KindlingError` naming `source`, the key,
 * what the description implies and what the file holds, so a description
 * that does not match its file is refused before the model is built.
 */
export function checkModelSpecShapes(spec: unknown, tensors: ReadonlyMap<string, readonly number[]>, source = 'model spec'): void {
  const checked = checkSpec(spec, source);
  const expected = modelSpecStateShapes(checked.spec, source);
  const show = (s: readonly number[]) => `[${s.join(', ')}]`;
  const layerOf = (key: string): string => {
    const prefix = key.slice(0, key.lastIndexOf('.'));
    const i = checked.layers.findIndex((l, j) => (l.spec.name ?? String(j)) === prefix);
    const l = checked.layers[i];
    return `layers[${i}] ${l.spec.type}(${l.args.map((a) => JSON.stringify(a)).join(', ')})`;
  };
  for (const [key, shape] of expected) {
    const found = tensors.get(key);
    if (found === undefined) {
      throw new KindlingError(
        `${source}: "${key}": the model description (${layerOf(key)}) implies shape ${show(shape)}, the file holds no such tensor`,
      );
    }
    if (found.length !== shape.length || found.some((d, i) => d !== shape[i])) {
      throw new KindlingError(
        `${source}: "${key}": the model description (${layerOf(key)}) implies shape ${show(shape)}, the file holds ${show(found)}`,
      );
    }
  }
  for (const [key, shape] of tensors) {
    if (!expected.has(key)) {
      throw new KindlingError(
        `${source}: "${key}": the file holds a tensor of shape ${show(shape)} that no layer of the model description has`,
      );
    }
  }
}
