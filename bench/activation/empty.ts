// An empty module: the baseline for a fresh require() in bench/activation.
export {};
