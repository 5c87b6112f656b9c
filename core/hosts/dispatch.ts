// The whole server side of every transport: look the method up, validate its input, call, map errors to data.
import type { WorkbenchApi, MethodName } from '../api/contract.ts';
import { toErrorData, WorkbenchError, type ErrorData } from '../api/errors.ts';
import { INPUT_SCHEMAS } from '../api/schemas.ts';

export type DispatchResult = { ok: true; value: unknown } | { ok: false; error: ErrorData };

export function isMethod(name: string): name is MethodName {
  return Object.hasOwn(INPUT_SCHEMAS, name);
}

/** Call `method` on `api` with `input` after validating it; never throws. */
export async function dispatch(api: WorkbenchApi, method: string, input: unknown): Promise<DispatchResult> {
  try {
    if (!isMethod(method)) throw new WorkbenchError('not_found', `unknown method '${method}'`);
    const parsed = INPUT_SCHEMAS[method].safeParse(input ?? {});
    if (!parsed.success) {
      const detail = parsed.error.issues
        .map((i) => `${i.path.join('.') || 'input'}: ${i.message}`)
        .join('; ');
      throw new WorkbenchError('invalid_input', `${method}: ${detail}`);
    }
    const call = (api[method] as (this: WorkbenchApi, arg: unknown) => Promise<unknown>).bind(api);
    return { ok: true, value: await call(parsed.data) };
  } catch (err) {
    return { ok: false, error: toErrorData(err) };
  }
}
