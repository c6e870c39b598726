// The system zlib (Debian: zlib1g-dev), for the gzip files DynamoDB's S3 export layouts use. Nothing is vendored.
#include <zlib.h>
