import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** What the signed-in token may do: act (admin) or only look (read). */
export type Role = 'admin' | 'read';
export const RoleContext = createContext<Role>('read');
export const useRole = (): Role => useContext(RoleContext);
