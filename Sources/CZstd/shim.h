// The system zstd (Debian: libzstd-dev). Nothing is vendored.
#include <zstd.h>
