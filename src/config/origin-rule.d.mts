// Types of origin-rule.mjs (the ORIGIN_URL rule shared by the Worker and the deploy check).

export declare function isLoopbackHost(hostname: string): boolean;
export declare function originUrlProblem(url: URL, options: { localDev: boolean; allowHttp: boolean; name?: string }): string | undefined;
