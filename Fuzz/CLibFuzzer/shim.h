// libFuzzer's entry point for programs with their own `main` (compiler-rt's FuzzerInterface.h); the library itself
// is linked by `-sanitize=fuzzer`.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
