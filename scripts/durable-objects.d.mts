export declare const DURABLE_OBJECTS: Record<string, { className: string; useSQLite: boolean }>;
