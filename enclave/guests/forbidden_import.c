// Imports a function from a module other than wasi_snapshot_preview1 / veracruz_si; the runner's
// module check must refuse it before anything runs.
__attribute__((import_module("env"), import_name("escape_hatch"))) int escape_hatch(int);

int main(void) { return escape_hatch(1); }
