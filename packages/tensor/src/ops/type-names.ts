import type { DType } from '../dtype.js';
import { DTypeError } from '../errors.js';

// PyTorch's legacy tensor type names (`x.type()`), per dtype.
const TYPE_NAMES: Record<DType, string> = {
  float16: 'HalfTensor',
  float32: 'FloatTensor',
  float64: 'DoubleTensor',
  int32: 'IntTensor',
  uint8: 'ByteTensor',
  bool: 'BoolTensor',
};

/** `torch.FloatTensor` for a float32 tensor on the CPU; other devices add their name (`torch.webgpu.FloatTensor`), as `torch.cuda.FloatTensor`. */
export function typeName(dtype: DType, device: string): string {
  return device === 'cpu' ? `torch.${TYPE_NAMES[dtype]}` : `torch.${device}.${TYPE_NAMES[dtype]}`;
}

/** The dtype a PyTorch type name (`'torch.FloatTensor'`, `'torch.webgpu.IntTensor'`) stands for. */
export function dtypeOfTypeName(name: string): DType {
  const last = name.slice(name.lastIndexOf('.') + 1);
  for (const [dtype, typeName] of Object.entries(TYPE_NAMES) as [DType, string][]) if (typeName === last) return dtype;
  throw new DTypeError(
    `type: unknown type name '${name}', expected a dtype or one of ${Object.values(TYPE_NAMES)
      .map((n) => `torch.${n}`)
      .join(', ')}`,
  );
}
