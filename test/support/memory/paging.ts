import type { Page, PageKey, PageRequest } from '../../../lambdas/app';

/**
 * A page of `items` as a DynamoDB Query or Scan would give it: items are ordered by
 * `position` (ascending, or descending for a history read newest first), a page starts
 * right after the item whose key is `request.start`, and `last` is the key of the page's
 * last item when more follow. Works on the current contents, so items added or removed
 * between pages behave as in the table.
 */
export function pageOf<T>(
  items: readonly T[],
  request: PageRequest,
  keyOf: (item: T) => PageKey,
  position: (key: PageKey) => string,
  order: 'ascending' | 'descending' = 'ascending',
): Page<T> {
  const sign = order === 'ascending' ? 1 : -1;
  const at = (item: T) => position(keyOf(item));
  const sorted = [...items].sort((a, b) => sign * (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
  const from = request.start === null ? null : position(request.start);
  const after =
    from === null
      ? sorted
      : sorted.filter((item) => sign * (at(item) > from ? 1 : at(item) < from ? -1 : 0) > 0);
  const page = after.slice(0, request.limit);
  const lastItem = page[page.length - 1];
  return { items: page, last: after.length > page.length && lastItem !== undefined ? keyOf(lastItem) : null };
}
